import { graphql } from '../../lib/generated';

export const AccountQuery = graphql(`
  query Account {
    viewer {
      id
      email
      name
      hasPassword
      sessions {
        id
        userAgent
        ip
        createdAt
        lastSeenAt
        expiresAt
        current
      }
      linkedAccounts {
        provider
        email
        linkedAt
      }
      personalAccessTokens {
        id
        name
        prefix
        readOnly
        createdAt
        lastUsedAt
        expiresAt
        revokedAt
      }
    }
    authProviders {
      id
      name
      signInUrl
    }
  }
`);

export const RevokeSessionMutation = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id)
  }
`);

export const RevokeOtherSessionsMutation = graphql(`
  mutation RevokeOtherSessions {
    revokeOtherSessions
  }
`);

export const CreateTokenMutation = graphql(`
  mutation CreateToken($name: String!, $readOnly: Boolean!, $expiresAt: DateTime) {
    createPersonalAccessToken(name: $name, readOnly: $readOnly, expiresAt: $expiresAt) {
      secret
      token {
        id
        name
        prefix
      }
    }
  }
`);

export const RevokeTokenMutation = graphql(`
  mutation RevokeToken($id: ID!) {
    revokePersonalAccessToken(id: $id)
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input)
  }
`);

export const UnlinkProviderMutation = graphql(`
  mutation UnlinkProvider($provider: String!) {
    unlinkAuthProvider(provider: $provider)
  }
`);
