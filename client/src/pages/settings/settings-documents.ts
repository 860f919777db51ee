import { graphql } from '../../lib/generated';

// One selection for the page's read and for what a save returns, so the two cannot differ.
export const ProjectSettingsFields = graphql(`
  fragment ProjectSettingsFields on ProjectSettings {
    piiRedaction
    piiRules
    redactInputs
    redactOutputs
    contentVisibility
    customPatterns {
      name
      pattern
    }
    retention {
      contentDays
      traceDays
    }
    auditContentReads
  }
`);

export const RenameProjectMutation = graphql(`
  mutation RenameProject($projectId: ID!, $name: String!) {
    renameProject(projectId: $projectId, name: $name) {
      id
      name
    }
  }
`);

export const DeleteProjectMutation = graphql(`
  mutation DeleteProject($projectId: ID!) {
    deleteProject(projectId: $projectId)
  }
`);

export const SettingsQuery = graphql(`
  query Settings($projectId: ID!) {
    project(id: $projectId) {
      id
      settings {
        ...ProjectSettingsFields
      }
    }
  }
`);

export const UpdateSettingsMutation = graphql(`
  mutation UpdateSettings($projectId: ID!, $input: ProjectSettingsInput!) {
    updateProjectSettings(projectId: $projectId, input: $input) {
      id
      settings {
        ...ProjectSettingsFields
      }
    }
  }
`);
