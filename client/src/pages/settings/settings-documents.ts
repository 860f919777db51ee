import { graphql } from '../../lib/generated';

export const SettingsQuery = graphql(`
  query Settings($projectId: ID!) {
    project(id: $projectId) {
      id
      settings {
        piiRedaction
        redactInputs
        redactOutputs
        contentVisibility
        customPatterns {
          name
          pattern
        }
      }
    }
  }
`);

export const UpdateSettingsMutation = graphql(`
  mutation UpdateSettings($projectId: ID!, $input: ProjectSettingsInput!) {
    updateProjectSettings(projectId: $projectId, input: $input) {
      id
      settings {
        piiRedaction
        redactInputs
        redactOutputs
        contentVisibility
        customPatterns {
          name
          pattern
        }
      }
    }
  }
`);
