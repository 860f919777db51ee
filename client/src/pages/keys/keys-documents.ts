import { graphql } from '../../lib/generated';

export const ApiKeysQuery = graphql(`
  query ApiKeys($projectId: ID!) {
    project(id: $projectId) {
      id
      apiKeys {
        id
        name
        prefix
        createdAt
        lastUsedAt
        expiresAt
        revokedAt
        createdBy {
          id
          name
        }
      }
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($projectId: ID!, $name: String!, $expiresAt: DateTime) {
    createApiKey(projectId: $projectId, name: $name, expiresAt: $expiresAt) {
      secret
      apiKey {
        id
        name
        prefix
      }
    }
  }
`);

export const RotateApiKeyMutation = graphql(`
  mutation RotateApiKey($id: ID!, $graceSeconds: Int) {
    rotateApiKey(id: $id, graceSeconds: $graceSeconds) {
      secret
      apiKey {
        id
        name
        prefix
      }
    }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);
