// Drives the emulator with Alibaba's own Node.js SDK client (@alicloud/pop-core), which nobody on
// this team wrote: a correctly signed SetDomainServerCertificate (POST, form body) and
// DescribeDomainCertificateInfo (GET, query) must succeed, and a wrong secret must be refused; the
// same signer against DCDN (2018-01-15) and STS (2015-04-01), and the STS credentials it gets
// (with their SecurityToken) accepted for a DCDN call.
// Usage: node pop_core_client.js PORT CERT_PEM_FILE KEY_PEM_FILE
'use strict';
const fs = require('fs');
const RPCClient = require('@alicloud/pop-core').RPCClient;

const [port, certFile, keyFile] = process.argv.slice(2);
const endpoint = `http://127.0.0.1:${port}`;
const client = (secret, apiVersion = '2018-05-10', id = 'testid', securityToken = undefined) =>
  new RPCClient({ accessKeyId: id, accessKeySecret: secret, endpoint, apiVersion, securityToken });

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

  const dcdn = await client('testsecret', '2018-01-15').request('SetDcdnDomainSSLCertificate', {
    DomainName: 'www.example.com', SSLProtocol: 'on', CertType: 'upload', CertName: 'interop-dcdn',
    SSLPub: cert, SSLPri: key,
  }, { method: 'POST' });
  check(typeof dcdn.RequestId === 'string', 'SetDcdnDomainSSLCertificate (DCDN 2018-01-15) succeeds');

  const role = await client('testsecret', '2015-04-01').request('AssumeRole', {
    RoleArn: 'acs:ram::1234:role/interop', RoleSessionName: 'interop', DurationSeconds: 900,
  }, { method: 'POST' });
  const c = role.Credentials;
  check(c.AccessKeyId.startsWith('STS.') && c.SecurityToken.length > 0 && c.Expiration,
        'STS AssumeRole (2015-04-01) answers temporary credentials');
  const read = await client(c.AccessKeySecret, '2018-01-15', c.AccessKeyId, c.SecurityToken)
    .request('DescribeDcdnDomainCertificateInfo', { DomainName: 'www.example.com' });
  const dci = read.CertInfos.CertInfo[0];
  check(dci.SSLProtocol === 'on' && dci.SSLPub.trim() === cert.trim(),
        'the STS credentials (SecurityToken signed in) read the DCDN binding back');
  console.log('interop: 9 passed, 0 failed');
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
