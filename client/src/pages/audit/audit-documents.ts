import { graphql } from '../../lib/generated';

export const AuditLogQuery = graphql(`
  query AuditLog($projectId: ID!, $filter: AuditLogFilter, $first: Int, $after: String) {
    project(id: $projectId) {
      id
      auditLog(filter: $filter, first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            at
            action
            targetType
            targetId
            targetLabel
            ip
            userAgent
            details
            actor {
              type
              id
              label
              name
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
