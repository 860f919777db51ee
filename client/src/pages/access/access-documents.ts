import { graphql } from '../../lib/generated';

export const ContentAccessLogQuery = graphql(`
  query ContentAccessLog($projectId: ID!, $filter: ContentAccessLogFilter, $first: Int, $after: String) {
    project(id: $projectId) {
      id
      settings {
        auditContentReads
      }
      contentAccessLog(filter: $filter, first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            at
            via
            traceId
            spanIds
            ip
            userAgent
            actor {
              type
              id
              label
            }
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
