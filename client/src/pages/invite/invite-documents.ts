import { graphql } from '../../lib/generated';

export const InvitationPreviewQuery = graphql(`
  query InvitationPreview($token: String!) {
    invitation(token: $token) {
      projectName
      role
      maskedEmail
      invitedByName
      status
      expiresAt
    }
  }
`);

export const AcceptInvitationMutation = graphql(`
  mutation AcceptInvitation($token: String!) {
    acceptInvitation(token: $token) {
      projectId
      projectName
      role
    }
  }
`);
