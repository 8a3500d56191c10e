import { randomUUID } from 'node:crypto';
import { send } from '../lib/http-client';
import type { Writer } from './writers';

const UPDATE_TENANT = `mutation ($name: String) { updateTenant(name: $name) { id name } }`;
const CREATE_UPLOAD = `mutation ($name: String!, $sizeBytes: Int!) {
  createAssetUpload(name: $name, contentType: "application/octet-stream", sizeBytes: $sizeBytes) {
    uploadUrl asset { id } } }`;
const COMPLETE_UPLOAD = `mutation ($id: ID!) { completeAssetUpload(id: $id) { id status } }`;
const CREATE_ENDPOINT = `mutation ($input: WebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id status } } }`;

const KIB = Buffer.alloc(1024, 7);

/** One kind of write a client repeats: the journal event type each success appends, and how. */
export interface WriteKind {
  name: string;
  /** The event types one success journals, each once. */
  journals: string[];
  step(writer: Writer, turn: number): Promise<void>;
}

/** The writes measured through the gateway, each as a frontend sends it. */
export function writeKinds(gatewayUrl: string, receiverOrigin: string): WriteKind[] {
  const graphql = gatewayClient(gatewayUrl);
  return [
    {
      name: 'updateTenant',
      journals: ['tenancy.tenant.updated'],
      // A fresh name every time: renaming to the same name changes (and journals) nothing.
      step: async (writer) => {
        await graphql(writer, writer.sharedTenantId, UPDATE_TENANT, {
          name: `Renamed ${randomUUID().slice(0, 8)}`,
        });
      },
    },
    {
      name: 'createAssetUpload + PUT 1 KiB + completeAssetUpload',
      journals: ['assets.asset.created', 'assets.asset.completed'],
      step: async (writer) => {
        const created = (await graphql(writer, writer.sharedTenantId, CREATE_UPLOAD, {
          name: `bench-${randomUUID().slice(0, 8)}.bin`,
          sizeBytes: KIB.length,
        })) as { createAssetUpload: { uploadUrl: string; asset: { id: string } } };
        const put = await send(created.createAssetUpload.uploadUrl, { method: 'PUT', body: KIB });
        if (put.status !== 200) throw new Error(`PUT answered ${put.status}`);
        await graphql(writer, writer.sharedTenantId, COMPLETE_UPLOAD, {
          id: created.createAssetUpload.asset.id,
        });
      },
    },
    {
      name: 'createWebhookEndpoint (unverified)',
      journals: ['jobs.webhook_endpoint.created'],
      // Turns spread a writer's endpoints over its own tenants (100 at most in each).
      step: async (writer, turn) => {
        await graphql(
          writer,
          writer.ownTenantIds[turn % writer.ownTenantIds.length]!,
          CREATE_ENDPOINT,
          { input: { url: `${receiverOrigin}/endpoint/${turn}`, eventTypes: ['*'] } },
        );
      },
    },
  ];
}

function gatewayClient(gatewayUrl: string) {
  return async (
    writer: Writer,
    tenantId: string,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<unknown> => {
    const { status, text } = await send(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...writer.user.headers(tenantId) },
      body: JSON.stringify({ query, variables }),
    });
    const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
    if (status !== 200 || body.errors || !body.data) throw new Error(`${status} ${text}`);
    return body.data;
  };
}
