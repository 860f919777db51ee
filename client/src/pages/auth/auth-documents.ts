import { graphql } from '../../lib/generated';

// What the dashboard keeps of the signed-in user, whichever way they signed in.
export const SignedInUserFields = graphql(`
  fragment SignedInUserFields on User {
    id
    email
    name
  }
`);

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      ...SignedInUserFields
    }
  }
`);

export const AuthProvidersQuery = graphql(`
  query AuthProviders {
    authProviders {
      id
      name
      signInUrl
    }
  }
`);

// The server words its own OAuth failure codes, so the two cannot drift apart.
export const AuthErrorMessageQuery = graphql(`
  query AuthErrorMessage($code: String!) {
    authErrorMessage(code: $code)
  }
`);

export const SignInMutation = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      user {
        ...SignedInUserFields
      }
    }
  }
`);

export const SignUpMutation = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      user {
        ...SignedInUserFields
      }
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);
