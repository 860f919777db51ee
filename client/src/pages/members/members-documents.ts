import { graphql } from '../../lib/generated';

// E-mail addresses are ADMIN+: a VIEWER asks without them rather than collect FORBIDDEN errors.
export const MembersQuery = graphql(`
  query Members($projectId: ID!, $withEmail: Boolean!) {
    viewer {
      id
    }
    project(id: $projectId) {
      id
      members {
        role
        addedAt
        user {
          id
          name
          email @include(if: $withEmail)
        }
      }
    }
  }
`);

export const AddMemberMutation = graphql(`
  mutation AddMember($projectId: ID!, $email: String!, $role: Role!) {
    addProjectMember(projectId: $projectId, email: $email, role: $role) {
      role
      user {
        id
      }
    }
  }
`);

export const UpdateMemberRoleMutation = graphql(`
  mutation UpdateMemberRole($projectId: ID!, $userId: ID!, $role: Role!) {
    updateProjectMemberRole(projectId: $projectId, userId: $userId, role: $role) {
      role
      user {
        id
      }
    }
  }
`);

export const RemoveMemberMutation = graphql(`
  mutation RemoveMember($projectId: ID!, $userId: ID!) {
    removeProjectMember(projectId: $projectId, userId: $userId)
  }
`);
