import { graphql } from '../../lib/generated';

export const ProjectsQuery = graphql(`
  query Projects {
    projects {
      id
      name
      createdAt
      viewerRole
    }
  }
`);

export const ProjectQuery = graphql(`
  query Project($id: ID!) {
    project(id: $id) {
      id
      name
      viewerRole
      settings {
        contentVisibility
      }
    }
  }
`);

export const CreateProjectMutation = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      id
      name
      viewerRole
    }
  }
`);
