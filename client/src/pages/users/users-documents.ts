import { graphql } from '../../lib/generated';

export const EndUsersQuery = graphql(`
  query EndUsers($projectId: ID!, $filter: EndUserFilter, $first: Int, $after: String) {
    project(id: $projectId) {
      id
      endUsers(filter: $filter, first: $first, after: $after) {
        edges {
          node {
            id
            traceCount
            sessionCount
            totalTokens
            totalCostUsd
            unpricedTraces
            errorCount
            errorTraces
            firstStartTime
            lastStartTime
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);
