import { graphql } from '../../lib/generated';

export const TracesQuery = graphql(`
  query Traces($projectId: ID!, $filter: TraceFilter, $first: Int, $after: String) {
    project(id: $projectId) {
      id
      traces(filter: $filter, first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            name
            userId
            sessionId
            tags
            startTime
            durationMs
            totalTokens
            totalCostUsd
            spanCount
            errorCount
            models
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

export const TraceDetailQuery = graphql(`
  query TraceDetail($projectId: ID!, $traceId: ID!) {
    project(id: $projectId) {
      id
      trace(id: $traceId) {
        id
        name
        userId
        sessionId
        tags
        metadata
        startTime
        endTime
        durationMs
        totalTokens
        totalCostUsd
        spanCount
        errorCount
        spans {
          id
          parentId
          kind
          name
          model
          provider
          input
          output
          promptTokens
          completionTokens
          totalTokens
          costUsd
          startTime
          endTime
          latencyMs
          status
          statusMessage
          metadata
          contentStatus
          contentRemovedAt
          redactions {
            rule
            count
          }
        }
      }
    }
  }
`);

export const SpanIngestedSubscription = graphql(`
  subscription SpanIngested($projectId: ID!) {
    spanIngested(projectId: $projectId) {
      id
      traceId
    }
  }
`);

export const EraseEndUserMutation = graphql(`
  mutation EraseEndUser($projectId: ID!, $userId: String!) {
    eraseEndUser(projectId: $projectId, userId: $userId) {
      traces
      spans
    }
  }
`);
