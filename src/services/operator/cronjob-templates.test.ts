import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubescapeRequestBody } from './cronjob-templates.ts';
import {
  builtinKubescapeTemplate,
  builtinKubevulnTemplate,
  fixK8sNameLimit,
  kubescapeCronJob,
  kubescapeCronJobName,
  kubevulnCronJobName,
  parseCronJobTemplate,
  randomInt63,
  requestConfigMap,
  rescheduleCronJob,
  templateAnnotations,
  vulnScanCronJob,
} from './cronjob-templates.ts';
import { cronJobParams, vulnScanRequestBody } from './cronjobs.ts';
import type { JsonObject } from './types.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function podSpec(cronJob: JsonObject): JsonObject {
  const spec = cronJob['spec'] as JsonObject;
  return (((spec['jobTemplate'] as JsonObject)['spec'] as JsonObject)['template'] as JsonObject)[
    'spec'
  ] as JsonObject;
}

describe('CronJob names', () => {
  it('sanitizes like the operator (fixK8sNameLimit)', () => {
    assert.equal(fixK8sNameLimit('AA-bb-', 63), 'aa-bb');
    assert.equal(
      fixK8sNameLimit('aa-bb-fddddddddddddDDDDDdfdsfsdfdsfdsere122347985-046mntwensd8yf98', 63),
      'aa-bb-fddddddddddddddddddfdsfsdfdsfdsere122347985-046mntwensd8y',
    );
    assert.equal(
      fixK8sNameLimit('aa-bb-fddddddddddddDDDDDdfdsfsdfdsfdsere122347985_046mntwensd--f98', 63),
      'aa-bb-fddddddddddddddddddfdsfsdfdsfdsere122347985-046mntwensd',
    );
    assert.equal(
      fixK8sNameLimit('ks-scheduled-scan-cis-v1.23-t1.0.1-42'),
      'ks-scheduled-scan-cis-v1-23-t1-0-1-42',
    );
  });

  it('keeps generated names within 52 characters and valid', () => {
    for (let i = 0; i < 200; i++) {
      const suffix = randomInt63();
      assert.match(suffix, /^\d{1,19}$/);
      assert.ok(BigInt(suffix) < 2n ** 63n);
      for (const name of [
        kubescapeCronJobName('nsa', suffix),
        kubescapeCronJobName('CIS_EKS.T1.2.0 framework with a long name', suffix),
        kubevulnCronJobName(suffix),
      ]) {
        assert.ok(name.length <= 52, name);
        assert.match(name, DNS_LABEL);
      }
    }
    assert.equal(kubescapeCronJobName('NSA', '123'), 'ks-scheduled-scan-nsa-123');
    assert.equal(kubevulnCronJobName('123'), 'kubevuln-schedule-123');
  });
});

describe('posture CronJob', () => {
  const template = builtinKubescapeTemplate('kubescape');
  const cronJob = kubescapeCronJob(template, {
    name: 'ks-scheduled-scan-nsa-1',
    namespace: 'kubescape',
    schedule: '0 3 * * *',
    jobId: 'job-1',
    targetName: 'nsa',
    targetType: 'Framework',
    hostScanner: true,
  });

  it('is the chart template, renamed, rescheduled and pointed at its ConfigMap', () => {
    const metadata = cronJob['metadata'] as JsonObject;
    assert.equal(metadata['name'], 'ks-scheduled-scan-nsa-1');
    assert.deepEqual(metadata['labels'], {
      app: 'ks-scheduled-scan-nsa-1',
      tier: 'ks-control-plane',
      'kubescape.io/ignore': 'true',
      'kubescape.io': 'core',
      'armo.tier': 'kubescape-scan',
    });
    assert.equal((cronJob['spec'] as JsonObject)['schedule'], '0 3 * * *');
    assert.deepEqual(podSpec(cronJob)['volumes'], [
      { name: 'request-body-volume', configMap: { name: 'ks-scheduled-scan-nsa-1' } },
    ]);
    const container = (podSpec(cronJob)['containers'] as JsonObject[])[0]!;
    assert.equal(container['image'], 'quay.io/kubescape/http-request:v0.2.20');
    assert.deepEqual(container['args'], [
      '-method=post',
      '-scheme=http',
      '-host=operator:4002',
      '-path=v1/triggerAction',
      '-headers="Content-Type:application/json"',
      '-path-body=/home/ks/request-body.json',
    ]);
  });

  it('carries the job, target and host-scanner annotations', () => {
    assert.deepEqual(templateAnnotations(cronJob), {
      'armo.jobid': 'job-1',
      'armo.framework': 'nsa',
      'armo.host-scanner': 'true',
    });
    assert.equal(
      (builtinKubescapeTemplate('kubescape')['metadata'] as JsonObject)['name'],
      'kubescape-scheduler',
    );
  });

  it('mounts a ConfigMap whose body is the kubescapeScan wrapper', () => {
    const cm = requestConfigMap(
      'ks-scheduled-scan-nsa-1',
      'kubescape',
      kubescapeRequestBody({ targetType: 'Framework', targetNames: ['nsa'] }),
    );
    assert.deepEqual(cm['metadata'], {
      name: 'ks-scheduled-scan-nsa-1',
      namespace: 'kubescape',
      labels: { app: 'ks-scheduled-scan-nsa-1' },
    });
    assert.deepEqual(JSON.parse((cm['data'] as Record<string, string>)['request-body.json']!), {
      commands: [
        { commandName: 'kubescapeScan', args: { scanV1: { targetType: 'Framework', targetNames: ['nsa'] } } },
      ],
    });
  });

  it('is rescheduled with the update job ID', () => {
    const updated = rescheduleCronJob(cronJob, '5 5 * * *', 'job-2');
    assert.equal((updated['spec'] as JsonObject)['schedule'], '5 5 * * *');
    assert.equal(templateAnnotations(updated)['armo.updatejobid'], 'job-2');
    assert.equal(templateAnnotations(updated)['app.kubescape/update-job-id'], 'job-2');
    assert.equal((cronJob['spec'] as JsonObject)['schedule'], '0 3 * * *', 'the input is not changed');
  });
});

describe('vulnerability CronJob', () => {
  const command = {
    commandName: 'setVulnScanCronJob',
    designators: [{ designatorType: 'Attributes', attributes: { namespace: 'shop' } }],
    args: { jobParams: { cronTabSchedule: '0 2 * * *' } },
  };

  it('annotates job and namespace (old and new keys) and posts the command renamed scan, without args', () => {
    const cronJob = vulnScanCronJob(builtinKubevulnTemplate('kubescape'), {
      name: 'kubevuln-schedule-7',
      namespace: 'kubescape',
      schedule: '0 2 * * *',
      jobId: 'job-9',
      scanNamespace: 'shop',
    });
    assert.deepEqual(templateAnnotations(cronJob), {
      'armo.cloud/jobid': 'job-9',
      'app.kubescape/job-id': 'job-9',
      'armo.namespace': 'shop',
      'app.kubescape/namespace': 'shop',
    });
    assert.equal(((cronJob['metadata'] as JsonObject)['labels'] as JsonObject)['armo.tier'], 'vuln-scan');
    assert.deepEqual(vulnScanRequestBody(command), {
      commands: [
        {
          commandName: 'scan',
          designators: [{ designatorType: 'Attributes', attributes: { namespace: 'shop' } }],
        },
      ],
    });
  });

  it('finds schedule and name in jobParams, kubescapeJobParams, args or designators', () => {
    assert.deepEqual(cronJobParams(command), { cronTabSchedule: '0 2 * * *', name: '' });
    assert.deepEqual(
      cronJobParams({
        commandName: 'x',
        args: { kubescapeJobParams: { name: 'a', cronTabSchedule: '1 1 * * *' } },
      }),
      {
        cronTabSchedule: '1 1 * * *',
        name: 'a',
      },
    );
    assert.deepEqual(
      cronJobParams({ commandName: 'x', designators: [{ attributes: { cronTabSchedule: '2 2 * * *' } }] }),
      {
        cronTabSchedule: '2 2 * * *',
        name: '',
      },
    );
  });
});

describe('template ConfigMap', () => {
  it('reads the rendered template and one pasted from the chart asset', () => {
    const text = `apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: kubescape-scheduler
      namespace: kubescape
    spec:
      schedule: "1 2 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              containers:
              - name: kubescape-scheduler
                image: "example/http-request:v1"
              volumes:
                - name: "request-body-volume" # placeholder
                  configMap:
                    name: kubescape-scheduler`;
    const template = parseCronJobTemplate(text, 'test');
    assert.deepEqual(
      parseCronJobTemplate(text.replace(/\n {4}/g, '\n'), 'test'),
      template,
      'as the chart renders it',
    );
    const cronJob = kubescapeCronJob(template, {
      name: 'n1',
      namespace: 'kubescape',
      schedule: '',
      jobId: 'j',
      targetName: 'all',
      targetType: 'Framework',
    });
    assert.equal(
      (cronJob['spec'] as JsonObject)['schedule'],
      '1 2 * * *',
      'an empty schedule keeps the template one',
    );
    assert.deepEqual(podSpec(cronJob)['volumes'], [
      { name: 'request-body-volume', configMap: { name: 'n1' } },
    ]);
    assert.throws(() => parseCronJobTemplate('kind: ConfigMap', 'test'), /not a CronJob/);
  });
});
