import { graphql } from '../../lib/generated';

// Addresses are ADMIN+: a VIEWER asks for the masked form only.
export const InvitationsQuery = graphql(`
  query Invitations($projectId: ID!, $withEmail: Boolean!) {
    project(id: $projectId) {
      id
      invitations {
        id
        email @include(if: $withEmail)
        maskedEmail
        role
        status
        createdAt
        expiresAt
        invitedBy {
          id
          name
        }
      }
    }
  }
`);

export const InviteMemberMutation = graphql(`
  mutation InviteMember($projectId: ID!, $email: String!, $role: Role!) {
    inviteProjectMember(projectId: $projectId, email: $email, role: $role) {
      acceptUrl
      invitation {
        id
        email
        expiresAt
      }
    }
  }
`);

export const RevokeInvitationMutation = graphql(`
  mutation RevokeInvitation($projectId: ID!, $id: ID!) {
    revokeInvitation(projectId: $projectId, id: $id) {
      id
      status
    }
  }
`);
