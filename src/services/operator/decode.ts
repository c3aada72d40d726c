/**
 * Decoding of command bodies the way Go's encoding/json does it: object keys match struct fields
 * case-insensitively (an exact match wins), unknown keys are dropped, and `map[string]interface{}`
 * fields (args) keep their keys as sent. The chart's kubescape scheduler sends `CommandName`, the
 * kubevuln scheduler `commandName`; both must work.
 */
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { Command, Commands, Designator, JobTracking, JsonObject, PostScanRequest } from './types.ts';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `field` in `obj`, matched as Go matches struct fields: exact first, then case-folded. */
export function field(obj: JsonObject, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(obj)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function invalid(message: string): KubeguardError {
  return new KubeguardError(ErrorCodes.invalidInput, message);
}

function str(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${what} must be a string, not ${JSON.stringify(value)}`);
  return value;
}

function num(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw invalid(`${what} must be a number, not ${JSON.stringify(value)}`);
  return value;
}

function bool(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${what} must be a boolean, not ${JSON.stringify(value)}`);
  return value;
}

function strings(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalid(`${what} must be an array of strings`);
  }
  return value as string[];
}

function object(value: unknown, what: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalid(`${what} must be an object`);
  return value;
}

/** Drops undefined fields so that JSON output matches Go's omitempty. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function decodeDesignator(value: unknown, at: string): Designator {
  const obj = object(value, at) ?? {};
  const attributes = object(field(obj, 'attributes'), `${at}.attributes`);
  return compact({
    designatorType: str(field(obj, 'designatorType'), `${at}.designatorType`),
    wlid: str(field(obj, 'wlid'), `${at}.wlid`),
    wildwlid: str(field(obj, 'wildwlid'), `${at}.wildwlid`),
    sid: str(field(obj, 'sid'), `${at}.sid`),
    attributes: attributes
      ? Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, String(v)]))
      : undefined,
  });
}

function decodeJobTracking(value: unknown, at: string): JobTracking | undefined {
  const obj = object(value, at);
  if (!obj) return undefined;
  return compact({
    jobID: str(field(obj, 'jobID'), `${at}.jobID`),
    parentAction: str(field(obj, 'parentAction'), `${at}.parentAction`),
    numSeq: num(field(obj, 'numSeq'), `${at}.numSeq`),
    timestamp: str(field(obj, 'timestamp'), `${at}.timestamp`),
  });
}

/** One Command object; throws a KubeguardError naming the bad field. */
export function decodeCommand(value: unknown, at = 'command'): Command {
  const obj = object(value, at);
  if (!obj) throw invalid(`${at} must be an object`);
  const designators = field(obj, 'designators');
  if (designators !== undefined && designators !== null && !Array.isArray(designators)) {
    throw invalid(`${at}.designators must be an array`);
  }
  return compact({
    commandName: str(field(obj, 'commandName'), `${at}.commandName`) ?? '',
    responseID: str(field(obj, 'responseID'), `${at}.responseID`),
    designators: Array.isArray(designators)
      ? designators.map((d, i) => decodeDesignator(d, `${at}.designators[${i}]`))
      : undefined,
    wlid: str(field(obj, 'wlid'), `${at}.wlid`),
    wildWlid: str(field(obj, 'wildWlid'), `${at}.wildWlid`),
    sid: str(field(obj, 'sid'), `${at}.sid`),
    wildSid: str(field(obj, 'wildSid'), `${at}.wildSid`),
    jobTracking: decodeJobTracking(field(obj, 'jobTracking'), `${at}.jobTracking`),
    args: object(field(obj, 'args'), `${at}.args`),
  });
}

/** The body of `POST /v1/triggerAction`: `{commands: Command[]}`. */
export function decodeCommands(text: string): Commands {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(`request body is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw invalid('request body must be a JSON object {"commands": [...]}');
  const commands = field(parsed, 'commands');
  if (commands === undefined || commands === null) return { commands: [] };
  if (!Array.isArray(commands)) throw invalid('"commands" must be an array');
  return { commands: commands.map((c, i) => decodeCommand(c, `commands[${i}]`)) };
}

/** kubescape's PostScanRequest from `args.scanV1`, keys normalized, unknown keys dropped. */
export function decodePostScanRequest(value: unknown): PostScanRequest {
  const obj = object(value, 'args.scanV1') ?? {};
  const at = (name: string) => `args.scanV1.${name}`;
  const exceptions = field(obj, 'exceptions');
  return compact({
    format: str(field(obj, 'format'), at('format')),
    account: str(field(obj, 'account'), at('account')),
    failThreshold: num(field(obj, 'failThreshold'), at('failThreshold')),
    excludedNamespaces: strings(field(obj, 'excludedNamespaces'), at('excludedNamespaces')),
    includeNamespaces: strings(field(obj, 'includeNamespaces'), at('includeNamespaces')),
    targetNames: strings(field(obj, 'targetNames'), at('targetNames')),
    targetType: str(field(obj, 'targetType'), at('targetType')),
    submit: bool(field(obj, 'submit'), at('submit')),
    hostScanner: bool(field(obj, 'hostScanner'), at('hostScanner')),
    keepLocal: bool(field(obj, 'keepLocal'), at('keepLocal')),
    useCachedArtifacts: bool(field(obj, 'useCachedArtifacts'), at('useCachedArtifacts')),
    scanObject: object(field(obj, 'scanObject'), at('scanObject')),
    isDeletedScanObject: bool(field(obj, 'isDeletedScanObject'), at('isDeletedScanObject')),
    exceptions: Array.isArray(exceptions) ? exceptions : undefined,
  });
}

/** CronJob parameters `{cronTabSchedule, name}` (armoapi-go CronJobParams). */
export interface CronJobParams {
  cronTabSchedule: string;
  name: string;
}

export function decodeCronJobParams(value: unknown, what: string): CronJobParams | undefined {
  const obj = object(value, what);
  if (!obj) return undefined;
  return {
    cronTabSchedule: str(field(obj, 'cronTabSchedule'), `${what}.cronTabSchedule`) ?? '',
    name: str(field(obj, 'name'), `${what}.name`) ?? '',
  };
}
