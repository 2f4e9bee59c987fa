// Drives the emulator with Alibaba's current generated SDK (@alicloud/cdn20180510 on
// @alicloud/openapi-core), which signs with V3 (ACS3-HMAC-SHA256) and puts the parameters in the
// query: a correctly signed DescribeDomainCertificateInfo succeeds, a wrong secret is refused.
// Usage: node cdn_sdk_client.js PORT
'use strict';
const Cdn = require('@alicloud/cdn20180510');
const { $OpenApiUtil } = require('@alicloud/openapi-core');

const port = process.argv[2];
const client = (secret) => new Cdn.default(new $OpenApiUtil.Config({
  accessKeyId: 'testid', accessKeySecret: secret, endpoint: `127.0.0.1:${port}`, protocol: 'http',
}));
const request = () => new Cdn.DescribeDomainCertificateInfoRequest({ domainName: 'www.example.com' });

function check(cond, what) {
  if (!cond) throw new Error(`interop check failed: ${what}`);
  console.log(`ok - ${what}`);
}

(async () => {
  const r = await client('testsecret').describeDomainCertificateInfo(request());
  const info = r.body.certInfos.certInfo[0];
  check(r.statusCode === 200 && info.serverCertificateStatus === 'on',
        'cdn20180510 (V3 signature) reads the binding pop-core made');
  let refused = null;
  try {
    await client('not-the-secret').describeDomainCertificateInfo(request());
  } catch (e) {
    refused = e;
  }
  check(refused !== null && refused.code === 'SignatureDoesNotMatch',
        'cdn20180510 with a wrong secret is refused with SignatureDoesNotMatch');
  console.log('interop (V3): 2 passed, 0 failed');
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
