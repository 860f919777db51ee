import { graphql } from '../../lib/generated';

export const SessionsQuery = graphql(`
  query Sessions($projectId: ID!, $filter: SessionFilter, $first: Int, $after: String) {
    project(id: $projectId) {
      id
      sessions(filter: $filter, first: $first, after: $after) {
        edges {
          node {
            id
            traceCount
            totalTokens
            totalCostUsd
            unpricedTraces
            errorTraces
            userIds
            firstStartTime
            lastStartTime
            durationMs
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

// A session's traces in order. Each turn loads its own spans (TurnQuery): one query holding a
// page of traces with their spans would be deeper and costlier than the API's limits allow.
export const SessionQuery = graphql(`
  query Session($projectId: ID!, $sessionId: String!, $after: String) {
    project(id: $projectId) {
      id
      session(id: $sessionId) {
        id
        traceCount
        totalTokens
        totalCostUsd
        unpricedTraces
        errorTraces
        userIds
        firstStartTime
        lastStartTime
        durationMs
        traces(first: 25, after: $after) {
          edges {
            node {
              id
              name
              userId
              startTime
              durationMs
              errorCount
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`);

// The spans one turn is read from (content only if the viewer may read it: a restricted field
// comes back null, not as an error).
export const TurnQuery = graphql(`
  query Turn($projectId: ID!, $traceId: ID!) {
    project(id: $projectId) {
      id
      trace(id: $traceId) {
        id
        spans {
          id
          parentId
          kind
          input
          output
        }
      }
    }
  }
`);
