import { graphql } from '../../lib/generated';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      id
      email
      name
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
        id
        email
        name
      }
    }
  }
`);

export const SignUpMutation = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      user {
        id
        email
        name
      }
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);
