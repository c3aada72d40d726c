/**
 * kubevuln's request bodies (armoapi-go WebsocketScanCommand / RegistryScanCommand), decoded the
 * way Go's encoding/json does it: an exact key wins, otherwise keys match case-insensitively. That
 * is why the documented `credentialslist` works as well as the canonical `credentialsList`.
 */
import type { CredentialsListEntry } from '../../sbom/index.ts';
import { parseReference } from '../../sbom/index.ts';
import { messageOf } from '../../common/index.ts';
import { parseWlid } from '../../api/index.ts';

export interface ScanArgs {
  useHTTP: boolean;
  skipTLSVerify: boolean;
  /** "os/arch[/variant]" of a multi-platform image. */
  platform?: string;
  /** ContainerProfile name and namespace (scanApplicationProfile). */
  name?: string;
  namespace?: string;
}

export interface ScanSession {
  jobIDs: string[];
  timestamp?: string;
  rootJobID?: string;
  action?: string;
}

/** WebsocketScanCommand; RegistryScanCommand is the subset without workload fields. */
export interface ScanCommand {
  imageTag: string;
  imageHash: string;
  wlid: string;
  isScanned: boolean;
  containerName: string;
  actionIDN: number;
  instanceID: string;
  jobID: string;
  parentJobID: string;
  session?: ScanSession;
  credentialsList: CredentialsListEntry[];
  args: ScanArgs;
}

export type Endpoint = 'scanImage' | 'generateSBOM' | 'scanRegistryImage' | 'scanApplicationProfile';

/** A body that cannot be decoded or validated: answered with 400 and this message. */
export class InvalidCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCommandError';
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's field lookup: the exact key, else the first key equal to it ignoring case. */
function field(obj: Json, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

function str(obj: Json, name: string, where: string): string {
  const v = field(obj, name);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new InvalidCommandError(`${where}${name} must be a string`);
  return v;
}

function bool(obj: Json, name: string, where: string): boolean {
  const v = field(obj, name);
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new InvalidCommandError(`${where}${name} must be a boolean`);
  return v;
}

function num(obj: Json, name: string): number {
  const v = field(obj, name);
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new InvalidCommandError(`${name} must be an integer`);
  return v;
}

const CREDENTIAL_KEYS = ['username', 'password', 'auth', 'serveraddress', 'identitytoken', 'registrytoken'];

function credentials(value: unknown): CredentialsListEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidCommandError('credentialsList must be an array');
  return value.map((item, i) => {
    if (!isObject(item)) throw new InvalidCommandError(`credentialsList[${i}] must be an object`);
    const entry: Record<string, string> = {};
    for (const key of CREDENTIAL_KEYS) {
      const v = str(item, key, `credentialsList[${i}].`);
      if (v) entry[key] = v;
    }
    return entry as CredentialsListEntry;
  });
}

function args(value: unknown): ScanArgs {
  if (value === undefined || value === null) return { useHTTP: false, skipTLSVerify: false };
  if (!isObject(value)) throw new InvalidCommandError('args must be an object');
  const platform = str(value, 'platform', 'args.');
  const name = str(value, 'name', 'args.');
  const namespace = str(value, 'namespace', 'args.');
  return {
    useHTTP: bool(value, 'useHTTP', 'args.'),
    skipTLSVerify: bool(value, 'skipTLSVerify', 'args.'),
    ...(platform ? { platform } : {}),
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

function session(value: unknown): ScanSession | undefined {
  if (!isObject(value)) return undefined;
  const ids = field(value, 'jobIDs');
  const timestamp = field(value, 'timestamp');
  const rootJobID = field(value, 'rootJobID');
  const action = field(value, 'action');
  return {
    jobIDs: Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [],
    ...(typeof timestamp === 'string' ? { timestamp } : {}),
    ...(typeof rootJobID === 'string' ? { rootJobID } : {}),
    ...(typeof action === 'string' ? { action } : {}),
  };
}

/** Decodes a body (already JSON-parsed); throws InvalidCommandError on wrong types. */
export function decodeCommand(body: unknown): ScanCommand {
  if (!isObject(body)) throw new InvalidCommandError('the body must be a JSON object');
  const s = session(field(body, 'session'));
  return {
    imageTag: str(body, 'imageTag', '').trim(),
    imageHash: str(body, 'imageHash', '').trim(),
    wlid: str(body, 'wlid', '').trim(),
    isScanned: bool(body, 'isScanned', ''),
    containerName: str(body, 'containerName', ''),
    actionIDN: num(body, 'actionIDN'),
    instanceID: str(body, 'instanceID', ''),
    jobID: str(body, 'jobID', ''),
    parentJobID: str(body, 'parentJobID', ''),
    ...(s ? { session: s } : {}),
    credentialsList: credentials(field(body, 'credentialsList')),
    args: args(field(body, 'args')),
  };
}

function checkImage(cmd: ScanCommand): void {
  if (!cmd.imageTag) throw new InvalidCommandError('imageTag is required');
  try {
    parseReference(cmd.imageTag);
  } catch (err) {
    throw new InvalidCommandError(messageOf(err));
  }
  // The image slug keeps the hash's last 6 characters.
  if (cmd.imageHash && cmd.imageHash.length < 6)
    throw new InvalidCommandError(`imageHash "${cmd.imageHash}" is too short to be an image ID`);
}

/** The per-endpoint validation kubevuln does before queueing a job. */
export function validateCommand(endpoint: Endpoint, cmd: ScanCommand): void {
  switch (endpoint) {
    case 'scanApplicationProfile':
      if (!cmd.args.name || !cmd.args.namespace)
        throw new InvalidCommandError('args.name and args.namespace must name a ContainerProfile');
      return;
    case 'scanImage':
      checkImage(cmd);
      if (cmd.wlid) {
        try {
          parseWlid(cmd.wlid);
        } catch (err) {
          throw new InvalidCommandError(messageOf(err));
        }
        if (!cmd.containerName) throw new InvalidCommandError('containerName is required with a wlid');
      }
      return;
    case 'generateSBOM':
    case 'scanRegistryImage':
      checkImage(cmd);
      return;
  }
}

/** kubevuln's acknowledgement text: `ImageHash=…` or `Wlid=…, ImageHash=…`. */
export function acknowledgement(endpoint: Endpoint, cmd: ScanCommand): string {
  if (endpoint === 'scanApplicationProfile') return `ContainerProfile=${cmd.args.namespace}/${cmd.args.name}`;
  const hash = `ImageHash=${cmd.imageHash || cmd.imageTag}`;
  return cmd.wlid ? `Wlid=${cmd.wlid}, ${hash}` : hash;
}
