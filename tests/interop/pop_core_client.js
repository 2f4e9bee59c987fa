// Drives the emulator with Alibaba's own Node.js SDK client (@alicloud/pop-core), which nobody on
// this team wrote: a correctly signed SetDomainServerCertificate (POST, form body) and
// DescribeDomainCertificateInfo (GET, query) must succeed, and a wrong secret must be refused.
// Usage: node pop_core_client.js PORT CERT_PEM_FILE KEY_PEM_FILE
'use strict';
const fs = require('fs');
const RPCClient = require('@alicloud/pop-core').RPCClient;

const [port, certFile, keyFile] = process.argv.slice(2);
const endpoint = `http://127.0.0.1:${port}`;
const client = (secret) => new RPCClient({
  accessKeyId: 'testid', accessKeySecret: secret, endpoint, apiVersion: '2018-05-10',
});

function check(cond, what) {
  if (!cond) throw new Error(`interop check failed: ${what}`);
  console.log(`ok - ${what}`);
}

(async () => {
  const cert = fs.readFileSync(certFile, 'utf8');
  const key = fs.readFileSync(keyFile, 'utf8');
  const set = await client('testsecret').request('SetDomainServerCertificate', {
    DomainName: 'www.example.com', ServerCertificateStatus: 'on', CertType: 'upload',
    CertName: "interop cert*(1)!'~", ServerCertificate: cert, PrivateKey: key,
  }, { method: 'POST' });
  check(typeof set.RequestId === 'string' && set.RequestId.length > 0,
        'SetDomainServerCertificate (POST, form body) succeeds with a RequestId');

  const info = await client('testsecret').request('DescribeDomainCertificateInfo',
                                                  { DomainName: 'www.example.com' });
  const ci = info.CertInfos.CertInfo[0];
  check(ci.ServerCertificateStatus === 'on', 'DescribeDomainCertificateInfo (GET) shows HTTPS on');
  check(ci.CertName === "interop cert*(1)!'~", 'the CertName with awkward characters round-trips');
  check(ci.ServerCertificate.trim() === cert.trim(), 'the served certificate is the uploaded one');
  check(!JSON.stringify(info).includes('PRIVATE KEY'), 'the private key is never returned');

  let refused = null;
  try {
    await client('not-the-secret').request('DescribeDomainCertificateInfo',
                                           { DomainName: 'www.example.com' });
  } catch (e) {
    refused = e;
  }
  check(refused !== null && refused.code === 'SignatureDoesNotMatch',
        'a wrong secret is refused with SignatureDoesNotMatch');
  console.log('interop: 6 passed, 0 failed');
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
