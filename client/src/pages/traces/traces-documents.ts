import { graphql } from '../../lib/generated';

export const TracesQuery = graphql(`
  query Traces($projectId: ID!, $filter: TraceFilter, $first: Int, $after: String, $orderBy: TraceOrder) {
    project(id: $projectId) {
      id
      traces(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
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
            unpricedSpans
            generationsWithoutUsage
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
        boundedCount {
          count
          exact
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
        unpricedSpans
        generationsWithoutUsage
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
          cacheReadTokens
          cacheWriteTokens
          reasoningTokens
          costUsd
          usageStatus
          timeToFirstTokenMs
          price {
            recordedAtIngest
            price {
              id
              source
              model
              match
              effectiveFrom
              sourceNote
              archivedAt
              inputUsdPerMillion
              cachedInputUsdPerMillion
              cacheWriteUsdPerMillion
              outputUsdPerMillion
              perRequestUsd
            }
          }
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
