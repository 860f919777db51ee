import { graphql } from '../../lib/generated';

export const UsageQuery = graphql(`
  query Usage($projectId: ID!, $from: DateTime!, $to: DateTime!, $bucket: UsageBucket!) {
    project(id: $projectId) {
      id
      usage(from: $from, to: $to, bucket: $bucket) {
        series {
          start
          spans
          tokens
          knownCostUsd
          unpricedSpans
          errors
          p50LatencyMs
          p95LatencyMs
        }
        byModel {
          model
          spans
          tokens
          knownCostUsd
          unpricedSpans
        }
      }
    }
  }
`);
