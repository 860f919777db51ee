import { graphql } from '../../lib/generated';

export const ModelPriceFields = graphql(`
  fragment ModelPriceFields on ModelPrice {
    id
    source
    model
    match
    provider
    inputUsdPerMillion
    cachedInputUsdPerMillion
    cacheWriteUsdPerMillion
    outputUsdPerMillion
    perRequestUsd
    effectiveFrom
    sourceNote
    createdAt
    archivedAt
  }
`);

export const PricesQuery = graphql(`
  query Prices($projectId: ID!, $lookup: String, $withBuiltIn: Boolean!) {
    project(id: $projectId) {
      id
      modelPrices(includeArchived: true) {
        ...ModelPriceFields
      }
      builtInModelPrices(model: $lookup) @include(if: $withBuiltIn) {
        ...ModelPriceFields
      }
    }
  }
`);

export const SetModelPriceMutation = graphql(`
  mutation SetModelPrice($projectId: ID!, $input: ModelPriceInput!) {
    setModelPrice(projectId: $projectId, input: $input) {
      ...ModelPriceFields
    }
  }
`);

export const ArchiveModelPriceMutation = graphql(`
  mutation ArchiveModelPrice($projectId: ID!, $id: ID!) {
    archiveModelPrice(projectId: $projectId, id: $id) {
      id
      archivedAt
    }
  }
`);

export const PriceUnpricedSpansMutation = graphql(`
  mutation PriceUnpricedSpans($projectId: ID!, $model: String!) {
    priceUnpricedSpans(projectId: $projectId, model: $model) {
      model
      spans
      traces
      stillUnpriced
      remaining
    }
  }
`);
