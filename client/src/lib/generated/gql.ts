/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Account {\n    viewer {\n      id\n      email\n      name\n      hasPassword\n      sessions {\n        id\n        userAgent\n        ip\n        createdAt\n        lastSeenAt\n        expiresAt\n        current\n      }\n      linkedAccounts {\n        provider\n        email\n        linkedAt\n      }\n      personalAccessTokens {\n        id\n        name\n        prefix\n        readOnly\n        createdAt\n        lastUsedAt\n        expiresAt\n        revokedAt\n      }\n    }\n    authProviders {\n      id\n      name\n      signInUrl\n    }\n  }\n": typeof types.AccountDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": typeof types.RevokeSessionDocument,
    "\n  mutation RevokeOtherSessions {\n    revokeOtherSessions\n  }\n": typeof types.RevokeOtherSessionsDocument,
    "\n  mutation CreateToken($name: String!, $readOnly: Boolean!, $expiresAt: DateTime) {\n    createPersonalAccessToken(name: $name, readOnly: $readOnly, expiresAt: $expiresAt) {\n      secret\n      token {\n        id\n        name\n        prefix\n      }\n    }\n  }\n": typeof types.CreateTokenDocument,
    "\n  mutation RevokeToken($id: ID!) {\n    revokePersonalAccessToken(id: $id)\n  }\n": typeof types.RevokeTokenDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input)\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation UnlinkProvider($provider: String!) {\n    unlinkAuthProvider(provider: $provider)\n  }\n": typeof types.UnlinkProviderDocument,
    "\n  query AuditLog($projectId: ID!, $filter: AuditLogFilter, $first: Int, $after: String) {\n    project(id: $projectId) {\n      id\n      auditLog(filter: $filter, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            at\n            action\n            targetType\n            targetId\n            ip\n            userAgent\n            details\n            actor {\n              type\n              id\n              label\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  fragment SignedInUserFields on User {\n    id\n    email\n    name\n  }\n": typeof types.SignedInUserFieldsFragmentDoc,
    "\n  query Viewer {\n    viewer {\n      ...SignedInUserFields\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query AuthProviders {\n    authProviders {\n      id\n      name\n      signInUrl\n    }\n  }\n": typeof types.AuthProvidersDocument,
    "\n  query AuthErrorMessage($code: String!) {\n    authErrorMessage(code: $code)\n  }\n": typeof types.AuthErrorMessageDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      user {\n        ...SignedInUserFields\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user {\n        ...SignedInUserFields\n      }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": typeof types.SignOutDocument,
    "\n  query ApiKeys($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      apiKeys {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        expiresAt\n        revokedAt\n        createdBy {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($projectId: ID!, $name: String!, $expiresAt: DateTime) {\n    createApiKey(projectId: $projectId, name: $name, expiresAt: $expiresAt) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RotateApiKey($id: ID!, $graceSeconds: Int) {\n    rotateApiKey(id: $id, graceSeconds: $graceSeconds) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n": typeof types.RotateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query Members($projectId: ID!, $withEmail: Boolean!) {\n    viewer {\n      id\n    }\n    project(id: $projectId) {\n      id\n      members {\n        role\n        addedAt\n        user {\n          id\n          name\n          email @include(if: $withEmail)\n        }\n      }\n    }\n  }\n": typeof types.MembersDocument,
    "\n  mutation AddMember($projectId: ID!, $email: String!, $role: Role!) {\n    addProjectMember(projectId: $projectId, email: $email, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n": typeof types.AddMemberDocument,
    "\n  mutation UpdateMemberRole($projectId: ID!, $userId: ID!, $role: Role!) {\n    updateProjectMemberRole(projectId: $projectId, userId: $userId, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n": typeof types.UpdateMemberRoleDocument,
    "\n  mutation RemoveMember($projectId: ID!, $userId: ID!) {\n    removeProjectMember(projectId: $projectId, userId: $userId)\n  }\n": typeof types.RemoveMemberDocument,
    "\n  query Projects {\n    projects {\n      id\n      name\n      createdAt\n      viewerRole\n    }\n  }\n": typeof types.ProjectsDocument,
    "\n  query Project($id: ID!) {\n    project(id: $id) {\n      id\n      name\n      viewerRole\n      settings {\n        contentVisibility\n      }\n    }\n  }\n": typeof types.ProjectDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      name\n      viewerRole\n    }\n  }\n": typeof types.CreateProjectDocument,
    "\n  fragment ProjectSettingsFields on ProjectSettings {\n    piiRedaction\n    piiRules\n    redactInputs\n    redactOutputs\n    contentVisibility\n    customPatterns {\n      name\n      pattern\n    }\n  }\n": typeof types.ProjectSettingsFieldsFragmentDoc,
    "\n  query Settings($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      settings {\n        ...ProjectSettingsFields\n      }\n    }\n  }\n": typeof types.SettingsDocument,
    "\n  mutation UpdateSettings($projectId: ID!, $input: ProjectSettingsInput!) {\n    updateProjectSettings(projectId: $projectId, input: $input) {\n      id\n      settings {\n        ...ProjectSettingsFields\n      }\n    }\n  }\n": typeof types.UpdateSettingsDocument,
    "\n  query Traces($projectId: ID!, $filter: TraceFilter, $first: Int, $after: String) {\n    project(id: $projectId) {\n      id\n      traces(filter: $filter, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            name\n            userId\n            sessionId\n            tags\n            startTime\n            durationMs\n            totalTokens\n            totalCostUsd\n            spanCount\n            errorCount\n            models\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.TracesDocument,
    "\n  query TraceDetail($projectId: ID!, $traceId: ID!) {\n    project(id: $projectId) {\n      id\n      trace(id: $traceId) {\n        id\n        name\n        userId\n        sessionId\n        tags\n        metadata\n        startTime\n        endTime\n        durationMs\n        totalTokens\n        totalCostUsd\n        spanCount\n        errorCount\n        spans {\n          id\n          parentId\n          kind\n          name\n          model\n          provider\n          input\n          output\n          promptTokens\n          completionTokens\n          totalTokens\n          costUsd\n          startTime\n          endTime\n          latencyMs\n          status\n          statusMessage\n          metadata\n          redactions {\n            rule\n            count\n          }\n        }\n      }\n    }\n  }\n": typeof types.TraceDetailDocument,
    "\n  subscription SpanIngested($projectId: ID!) {\n    spanIngested(projectId: $projectId) {\n      id\n      traceId\n    }\n  }\n": typeof types.SpanIngestedDocument,
    "\n  query Usage($projectId: ID!, $from: DateTime!, $to: DateTime!, $bucket: UsageBucket!) {\n    project(id: $projectId) {\n      id\n      usage(from: $from, to: $to, bucket: $bucket) {\n        series {\n          start\n          spans\n          tokens\n          costUsd\n          errors\n          p50LatencyMs\n          p95LatencyMs\n        }\n        byModel {\n          model\n          spans\n          tokens\n          costUsd\n        }\n      }\n    }\n  }\n": typeof types.UsageDocument,
};
const documents: Documents = {
    "\n  query Account {\n    viewer {\n      id\n      email\n      name\n      hasPassword\n      sessions {\n        id\n        userAgent\n        ip\n        createdAt\n        lastSeenAt\n        expiresAt\n        current\n      }\n      linkedAccounts {\n        provider\n        email\n        linkedAt\n      }\n      personalAccessTokens {\n        id\n        name\n        prefix\n        readOnly\n        createdAt\n        lastUsedAt\n        expiresAt\n        revokedAt\n      }\n    }\n    authProviders {\n      id\n      name\n      signInUrl\n    }\n  }\n": types.AccountDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": types.RevokeSessionDocument,
    "\n  mutation RevokeOtherSessions {\n    revokeOtherSessions\n  }\n": types.RevokeOtherSessionsDocument,
    "\n  mutation CreateToken($name: String!, $readOnly: Boolean!, $expiresAt: DateTime) {\n    createPersonalAccessToken(name: $name, readOnly: $readOnly, expiresAt: $expiresAt) {\n      secret\n      token {\n        id\n        name\n        prefix\n      }\n    }\n  }\n": types.CreateTokenDocument,
    "\n  mutation RevokeToken($id: ID!) {\n    revokePersonalAccessToken(id: $id)\n  }\n": types.RevokeTokenDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input)\n  }\n": types.ChangePasswordDocument,
    "\n  mutation UnlinkProvider($provider: String!) {\n    unlinkAuthProvider(provider: $provider)\n  }\n": types.UnlinkProviderDocument,
    "\n  query AuditLog($projectId: ID!, $filter: AuditLogFilter, $first: Int, $after: String) {\n    project(id: $projectId) {\n      id\n      auditLog(filter: $filter, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            at\n            action\n            targetType\n            targetId\n            ip\n            userAgent\n            details\n            actor {\n              type\n              id\n              label\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  fragment SignedInUserFields on User {\n    id\n    email\n    name\n  }\n": types.SignedInUserFieldsFragmentDoc,
    "\n  query Viewer {\n    viewer {\n      ...SignedInUserFields\n    }\n  }\n": types.ViewerDocument,
    "\n  query AuthProviders {\n    authProviders {\n      id\n      name\n      signInUrl\n    }\n  }\n": types.AuthProvidersDocument,
    "\n  query AuthErrorMessage($code: String!) {\n    authErrorMessage(code: $code)\n  }\n": types.AuthErrorMessageDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      user {\n        ...SignedInUserFields\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user {\n        ...SignedInUserFields\n      }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": types.SignOutDocument,
    "\n  query ApiKeys($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      apiKeys {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        expiresAt\n        revokedAt\n        createdBy {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($projectId: ID!, $name: String!, $expiresAt: DateTime) {\n    createApiKey(projectId: $projectId, name: $name, expiresAt: $expiresAt) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RotateApiKey($id: ID!, $graceSeconds: Int) {\n    rotateApiKey(id: $id, graceSeconds: $graceSeconds) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n": types.RotateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query Members($projectId: ID!, $withEmail: Boolean!) {\n    viewer {\n      id\n    }\n    project(id: $projectId) {\n      id\n      members {\n        role\n        addedAt\n        user {\n          id\n          name\n          email @include(if: $withEmail)\n        }\n      }\n    }\n  }\n": types.MembersDocument,
    "\n  mutation AddMember($projectId: ID!, $email: String!, $role: Role!) {\n    addProjectMember(projectId: $projectId, email: $email, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n": types.AddMemberDocument,
    "\n  mutation UpdateMemberRole($projectId: ID!, $userId: ID!, $role: Role!) {\n    updateProjectMemberRole(projectId: $projectId, userId: $userId, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n": types.UpdateMemberRoleDocument,
    "\n  mutation RemoveMember($projectId: ID!, $userId: ID!) {\n    removeProjectMember(projectId: $projectId, userId: $userId)\n  }\n": types.RemoveMemberDocument,
    "\n  query Projects {\n    projects {\n      id\n      name\n      createdAt\n      viewerRole\n    }\n  }\n": types.ProjectsDocument,
    "\n  query Project($id: ID!) {\n    project(id: $id) {\n      id\n      name\n      viewerRole\n      settings {\n        contentVisibility\n      }\n    }\n  }\n": types.ProjectDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      name\n      viewerRole\n    }\n  }\n": types.CreateProjectDocument,
    "\n  fragment ProjectSettingsFields on ProjectSettings {\n    piiRedaction\n    piiRules\n    redactInputs\n    redactOutputs\n    contentVisibility\n    customPatterns {\n      name\n      pattern\n    }\n  }\n": types.ProjectSettingsFieldsFragmentDoc,
    "\n  query Settings($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      settings {\n        ...ProjectSettingsFields\n      }\n    }\n  }\n": types.SettingsDocument,
    "\n  mutation UpdateSettings($projectId: ID!, $input: ProjectSettingsInput!) {\n    updateProjectSettings(projectId: $projectId, input: $input) {\n      id\n      settings {\n        ...ProjectSettingsFields\n      }\n    }\n  }\n": types.UpdateSettingsDocument,
    "\n  query Traces($projectId: ID!, $filter: TraceFilter, $first: Int, $after: String) {\n    project(id: $projectId) {\n      id\n      traces(filter: $filter, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            name\n            userId\n            sessionId\n            tags\n            startTime\n            durationMs\n            totalTokens\n            totalCostUsd\n            spanCount\n            errorCount\n            models\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.TracesDocument,
    "\n  query TraceDetail($projectId: ID!, $traceId: ID!) {\n    project(id: $projectId) {\n      id\n      trace(id: $traceId) {\n        id\n        name\n        userId\n        sessionId\n        tags\n        metadata\n        startTime\n        endTime\n        durationMs\n        totalTokens\n        totalCostUsd\n        spanCount\n        errorCount\n        spans {\n          id\n          parentId\n          kind\n          name\n          model\n          provider\n          input\n          output\n          promptTokens\n          completionTokens\n          totalTokens\n          costUsd\n          startTime\n          endTime\n          latencyMs\n          status\n          statusMessage\n          metadata\n          redactions {\n            rule\n            count\n          }\n        }\n      }\n    }\n  }\n": types.TraceDetailDocument,
    "\n  subscription SpanIngested($projectId: ID!) {\n    spanIngested(projectId: $projectId) {\n      id\n      traceId\n    }\n  }\n": types.SpanIngestedDocument,
    "\n  query Usage($projectId: ID!, $from: DateTime!, $to: DateTime!, $bucket: UsageBucket!) {\n    project(id: $projectId) {\n      id\n      usage(from: $from, to: $to, bucket: $bucket) {\n        series {\n          start\n          spans\n          tokens\n          costUsd\n          errors\n          p50LatencyMs\n          p95LatencyMs\n        }\n        byModel {\n          model\n          spans\n          tokens\n          costUsd\n        }\n      }\n    }\n  }\n": types.UsageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Account {\n    viewer {\n      id\n      email\n      name\n      hasPassword\n      sessions {\n        id\n        userAgent\n        ip\n        createdAt\n        lastSeenAt\n        expiresAt\n        current\n      }\n      linkedAccounts {\n        provider\n        email\n        linkedAt\n      }\n      personalAccessTokens {\n        id\n        name\n        prefix\n        readOnly\n        createdAt\n        lastUsedAt\n        expiresAt\n        revokedAt\n      }\n    }\n    authProviders {\n      id\n      name\n      signInUrl\n    }\n  }\n"): (typeof documents)["\n  query Account {\n    viewer {\n      id\n      email\n      name\n      hasPassword\n      sessions {\n        id\n        userAgent\n        ip\n        createdAt\n        lastSeenAt\n        expiresAt\n        current\n      }\n      linkedAccounts {\n        provider\n        email\n        linkedAt\n      }\n      personalAccessTokens {\n        id\n        name\n        prefix\n        readOnly\n        createdAt\n        lastUsedAt\n        expiresAt\n        revokedAt\n      }\n    }\n    authProviders {\n      id\n      name\n      signInUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeOtherSessions {\n    revokeOtherSessions\n  }\n"): (typeof documents)["\n  mutation RevokeOtherSessions {\n    revokeOtherSessions\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateToken($name: String!, $readOnly: Boolean!, $expiresAt: DateTime) {\n    createPersonalAccessToken(name: $name, readOnly: $readOnly, expiresAt: $expiresAt) {\n      secret\n      token {\n        id\n        name\n        prefix\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateToken($name: String!, $readOnly: Boolean!, $expiresAt: DateTime) {\n    createPersonalAccessToken(name: $name, readOnly: $readOnly, expiresAt: $expiresAt) {\n      secret\n      token {\n        id\n        name\n        prefix\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeToken($id: ID!) {\n    revokePersonalAccessToken(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeToken($id: ID!) {\n    revokePersonalAccessToken(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input)\n  }\n"): (typeof documents)["\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnlinkProvider($provider: String!) {\n    unlinkAuthProvider(provider: $provider)\n  }\n"): (typeof documents)["\n  mutation UnlinkProvider($provider: String!) {\n    unlinkAuthProvider(provider: $provider)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($projectId: ID!, $filter: AuditLogFilter, $first: Int, $after: String) {\n    project(id: $projectId) {\n      id\n      auditLog(filter: $filter, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            at\n            action\n            targetType\n            targetId\n            ip\n            userAgent\n            details\n            actor {\n              type\n              id\n              label\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($projectId: ID!, $filter: AuditLogFilter, $first: Int, $after: String) {\n    project(id: $projectId) {\n      id\n      auditLog(filter: $filter, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            at\n            action\n            targetType\n            targetId\n            ip\n            userAgent\n            details\n            actor {\n              type\n              id\n              label\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SignedInUserFields on User {\n    id\n    email\n    name\n  }\n"): (typeof documents)["\n  fragment SignedInUserFields on User {\n    id\n    email\n    name\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      ...SignedInUserFields\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      ...SignedInUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthProviders {\n    authProviders {\n      id\n      name\n      signInUrl\n    }\n  }\n"): (typeof documents)["\n  query AuthProviders {\n    authProviders {\n      id\n      name\n      signInUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthErrorMessage($code: String!) {\n    authErrorMessage(code: $code)\n  }\n"): (typeof documents)["\n  query AuthErrorMessage($code: String!) {\n    authErrorMessage(code: $code)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      user {\n        ...SignedInUserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      user {\n        ...SignedInUserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user {\n        ...SignedInUserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user {\n        ...SignedInUserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    signOut\n  }\n"): (typeof documents)["\n  mutation SignOut {\n    signOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      apiKeys {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        expiresAt\n        revokedAt\n        createdBy {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      apiKeys {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        expiresAt\n        revokedAt\n        createdBy {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($projectId: ID!, $name: String!, $expiresAt: DateTime) {\n    createApiKey(projectId: $projectId, name: $name, expiresAt: $expiresAt) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($projectId: ID!, $name: String!, $expiresAt: DateTime) {\n    createApiKey(projectId: $projectId, name: $name, expiresAt: $expiresAt) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateApiKey($id: ID!, $graceSeconds: Int) {\n    rotateApiKey(id: $id, graceSeconds: $graceSeconds) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RotateApiKey($id: ID!, $graceSeconds: Int) {\n    rotateApiKey(id: $id, graceSeconds: $graceSeconds) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Members($projectId: ID!, $withEmail: Boolean!) {\n    viewer {\n      id\n    }\n    project(id: $projectId) {\n      id\n      members {\n        role\n        addedAt\n        user {\n          id\n          name\n          email @include(if: $withEmail)\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Members($projectId: ID!, $withEmail: Boolean!) {\n    viewer {\n      id\n    }\n    project(id: $projectId) {\n      id\n      members {\n        role\n        addedAt\n        user {\n          id\n          name\n          email @include(if: $withEmail)\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddMember($projectId: ID!, $email: String!, $role: Role!) {\n    addProjectMember(projectId: $projectId, email: $email, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddMember($projectId: ID!, $email: String!, $role: Role!) {\n    addProjectMember(projectId: $projectId, email: $email, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateMemberRole($projectId: ID!, $userId: ID!, $role: Role!) {\n    updateProjectMemberRole(projectId: $projectId, userId: $userId, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateMemberRole($projectId: ID!, $userId: ID!, $role: Role!) {\n    updateProjectMemberRole(projectId: $projectId, userId: $userId, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($projectId: ID!, $userId: ID!) {\n    removeProjectMember(projectId: $projectId, userId: $userId)\n  }\n"): (typeof documents)["\n  mutation RemoveMember($projectId: ID!, $userId: ID!) {\n    removeProjectMember(projectId: $projectId, userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects {\n    projects {\n      id\n      name\n      createdAt\n      viewerRole\n    }\n  }\n"): (typeof documents)["\n  query Projects {\n    projects {\n      id\n      name\n      createdAt\n      viewerRole\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Project($id: ID!) {\n    project(id: $id) {\n      id\n      name\n      viewerRole\n      settings {\n        contentVisibility\n      }\n    }\n  }\n"): (typeof documents)["\n  query Project($id: ID!) {\n    project(id: $id) {\n      id\n      name\n      viewerRole\n      settings {\n        contentVisibility\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      name\n      viewerRole\n    }\n  }\n"): (typeof documents)["\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      name\n      viewerRole\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProjectSettingsFields on ProjectSettings {\n    piiRedaction\n    piiRules\n    redactInputs\n    redactOutputs\n    contentVisibility\n    customPatterns {\n      name\n      pattern\n    }\n  }\n"): (typeof documents)["\n  fragment ProjectSettingsFields on ProjectSettings {\n    piiRedaction\n    piiRules\n    redactInputs\n    redactOutputs\n    contentVisibility\n    customPatterns {\n      name\n      pattern\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Settings($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      settings {\n        ...ProjectSettingsFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Settings($projectId: ID!) {\n    project(id: $projectId) {\n      id\n      settings {\n        ...ProjectSettingsFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSettings($projectId: ID!, $input: ProjectSettingsInput!) {\n    updateProjectSettings(projectId: $projectId, input: $input) {\n      id\n      settings {\n        ...ProjectSettingsFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateSettings($projectId: ID!, $input: ProjectSettingsInput!) {\n    updateProjectSettings(projectId: $projectId, input: $input) {\n      id\n      settings {\n        ...ProjectSettingsFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Traces($projectId: ID!, $filter: TraceFilter, $first: Int, $after: String) {\n    project(id: $projectId) {\n      id\n      traces(filter: $filter, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            name\n            userId\n            sessionId\n            tags\n            startTime\n            durationMs\n            totalTokens\n            totalCostUsd\n            spanCount\n            errorCount\n            models\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Traces($projectId: ID!, $filter: TraceFilter, $first: Int, $after: String) {\n    project(id: $projectId) {\n      id\n      traces(filter: $filter, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            name\n            userId\n            sessionId\n            tags\n            startTime\n            durationMs\n            totalTokens\n            totalCostUsd\n            spanCount\n            errorCount\n            models\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TraceDetail($projectId: ID!, $traceId: ID!) {\n    project(id: $projectId) {\n      id\n      trace(id: $traceId) {\n        id\n        name\n        userId\n        sessionId\n        tags\n        metadata\n        startTime\n        endTime\n        durationMs\n        totalTokens\n        totalCostUsd\n        spanCount\n        errorCount\n        spans {\n          id\n          parentId\n          kind\n          name\n          model\n          provider\n          input\n          output\n          promptTokens\n          completionTokens\n          totalTokens\n          costUsd\n          startTime\n          endTime\n          latencyMs\n          status\n          statusMessage\n          metadata\n          redactions {\n            rule\n            count\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TraceDetail($projectId: ID!, $traceId: ID!) {\n    project(id: $projectId) {\n      id\n      trace(id: $traceId) {\n        id\n        name\n        userId\n        sessionId\n        tags\n        metadata\n        startTime\n        endTime\n        durationMs\n        totalTokens\n        totalCostUsd\n        spanCount\n        errorCount\n        spans {\n          id\n          parentId\n          kind\n          name\n          model\n          provider\n          input\n          output\n          promptTokens\n          completionTokens\n          totalTokens\n          costUsd\n          startTime\n          endTime\n          latencyMs\n          status\n          statusMessage\n          metadata\n          redactions {\n            rule\n            count\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SpanIngested($projectId: ID!) {\n    spanIngested(projectId: $projectId) {\n      id\n      traceId\n    }\n  }\n"): (typeof documents)["\n  subscription SpanIngested($projectId: ID!) {\n    spanIngested(projectId: $projectId) {\n      id\n      traceId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Usage($projectId: ID!, $from: DateTime!, $to: DateTime!, $bucket: UsageBucket!) {\n    project(id: $projectId) {\n      id\n      usage(from: $from, to: $to, bucket: $bucket) {\n        series {\n          start\n          spans\n          tokens\n          costUsd\n          errors\n          p50LatencyMs\n          p95LatencyMs\n        }\n        byModel {\n          model\n          spans\n          tokens\n          costUsd\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Usage($projectId: ID!, $from: DateTime!, $to: DateTime!, $bucket: UsageBucket!) {\n    project(id: $projectId) {\n      id\n      usage(from: $from, to: $to, bucket: $bucket) {\n        series {\n          start\n          spans\n          tokens\n          costUsd\n          errors\n          p50LatencyMs\n          p95LatencyMs\n        }\n        byModel {\n          model\n          spans\n          tokens\n          costUsd\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;