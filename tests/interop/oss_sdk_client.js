// Drives the emulator's OSS with Alibaba's own OSS SDK for Node.js (ali-oss), which nobody on this
// team wrote: its V1 signer must be accepted for ListBuckets (GET / on the service), PutCname
// (POST /?cname&comp=add with an XML body, signed sub-resources) and ListCname (GET /?cname), and
// a wrong secret must be refused with OSS's SignatureDoesNotMatch. ali-oss has no PutCname method
// of its own: the calls go through its generic, signing `request`.
// Requests are addressed as OSS's (BUCKET.oss-REGION.aliyuncs.com); the host names are resolved to
// the emulator on 127.0.0.1 here, so the SDK builds and signs exactly what it would for OSS.
// Usage: node oss_sdk_client.js PORT CERT_ID
'use strict';
const dns = require('dns');

const [port, certId] = process.argv.slice(2);
const realLookup = dns.lookup;
dns.lookup = (host, options, callback) => {
  if (typeof options === 'function') [callback, options] = [options, {}];
  if (!host.endsWith('.aliyuncs.com')) return realLookup(host, options, callback);
  if (options && options.all) return callback(null, [{ address: '127.0.0.1', family: 4 }]);
  return callback(null, '127.0.0.1', 4);
};
const OSS = require('ali-oss');

const client = (secret) => new OSS({
  accessKeyId: 'testid', accessKeySecret: secret, region: 'oss-cn-hangzhou',
  endpoint: `http://oss-cn-hangzhou.aliyuncs.com:${port}`, authorizationV4: false, retryMax: 0,
});

function check(cond, what) {
  if (!cond) throw new Error(`interop check failed: ${what}`);
  console.log(`ok - ${what}`);
}

(async () => {
  const listed = await client('testsecret').listBuckets({ 'max-keys': 10 });
  check(listed.buckets.length === 1 && listed.buckets[0].name === 'static-site' &&
        listed.buckets[0].region === 'oss-cn-hangzhou',
        'ListBuckets (GET /, signed "/") lists the user\'s bucket and its location');

  const body = '<BucketCnameConfiguration><Cname><Domain>static.example.com</Domain>' +
    `<CertificateConfiguration><CertId>${certId}-cn-hangzhou</CertId><Force>true</Force>` +
    '</CertificateConfiguration></Cname></BucketCnameConfiguration>';
  const oss = client('testsecret');
  const put = await oss.request({
    method: 'POST', bucket: 'static-site', subres: { cname: '', comp: 'add' },
    content: Buffer.from(body), mime: 'application/xml', successStatuses: [200],
  });
  check(put.status === 200 && typeof put.headers['x-oss-request-id'] === 'string',
        'PutCname (POST /?cname&comp=add, XML body) binds the CAS certificate by id');

  const list = await oss.request({
    method: 'GET', bucket: 'static-site', subres: 'cname', successStatuses: [200],
  });
  const xml = list.data.toString();
  check(xml.includes('<Domain>static.example.com</Domain>') &&
        xml.includes(`<CertId>${certId}-cn-hangzhou</CertId>`),
        'ListCname (GET /?cname) reports the domain with its CertId');

  let refused = null;
  try {
    await client('not-the-secret').request({
      method: 'GET', bucket: 'static-site', subres: 'cname', successStatuses: [200],
    });
  } catch (e) {
    refused = e;
  }
  check(refused && refused.status === 403 && refused.code === 'SignatureDoesNotMatch',
        'a wrong secret is refused with SignatureDoesNotMatch (403)');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
