// certform-emulator: a local stand-in for the Alibaba Cloud CDN (2018-05-10), DCDN, OSS, CAS and
// STS APIs, for tests, benchmarks and the demo. Binds 127.0.0.1 only.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/cdn_emulator.h"
#include "providers/alicloud/emulator/emulator_server.h"
#include "providers/alicloud/emulator/tls_server.h"

namespace {

constexpr char kUsage[] = R"(Usage: certform-emulator --config FILE [options]

Serves the calls certform makes to every product it binds: the CDN's (SetDomainServerCertificate,
SetCdnDomainSSLCertificate, DescribeDomainCertificateInfo, DescribeUserDomains), DCDN's
(SetDcdnDomainSSLCertificate, DescribeDcdnDomainCertificateInfo, DescribeDcdnUserDomains) and
OSS's custom domains (PutCname, ListCname, ListBuckets, on the bucket the Host header names,
signed with OSS signature V1); and those of Certificate Management Service
(UploadUserCertificate, ListUserCertificateOrder, GetUserCertificateDetail,
DeleteUserCertificate), ALB 2020-06-16's listener certificates (ListListenerCertificates,
GetListenerAttribute, UpdateListenerAttribute, AssociateAdditionalCertificatesWithListener,
DissociateAdditionalCertificatesFromListener, ListAsynJobs; writes are jobs that keep the
listener Configuring; region from the Host alb.REGION.aliyuncs.com, else RegionId), NLB
2022-04-30's (the same calls with CertificateIds.N, AdditionalCertificateIds.N,
DisassociateAdditionalCertificatesWithListener and ListListenerCertificates's CertType, for TCPSSL
listeners; Host nlb.REGION.aliyuncs.com), STS's
(AssumeRole, AssumeRoleWithOIDC, GetCallerIdentity) and the ECS metadata service's credential
paths (/latest/api/token, /latest/meta-data/ram/security-credentials/) on 127.0.0.1, with V1
and V3 signature checks, a per-user sliding one-second rate limit, the documented certificate errors, and injectable latency and faults.
Admin API: GET /_emulator/state, GET /_emulator/counters, POST /_emulator/reset,
POST /_emulator/faults, PUT|DELETE /_emulator/domains/NAME (and dcdn_domains/NAME),
PUT /_emulator/cas {"name","pem"[,"user","id","key"]}, DELETE /_emulator/cas/ID,
POST /_emulator/oss_cnames/DOMAIN ({"certificate_status":"Disabled"}),
POST /_emulator/propagate, PUT /_emulator/propagation, POST /_emulator/tls_keys,
PUT /_emulator/alb/load_balancers/ID ({"region","user","edition":"Basic|Standard",
"ack_managed":false}), PUT /_emulator/alb/listeners/ID ({"load_balancer_id",
"protocol":"HTTPS|QUIC|HTTP","default_certificate":"CASID-REGION"}),
PUT /_emulator/alb/jobs ({"duration_ms":5000,"fail_next":0}),
PUT /_emulator/nlb/load_balancers/ID ({"region","user","ack_managed":false}),
PUT /_emulator/nlb/listeners/ID ({"load_balancer_id","protocol":"TCPSSL|TCP|UDP",
"default_certificate":"CASID-REGION"}), PUT /_emulator/nlb/jobs (as ALB's).

With --tls-port, also the edge: TLS handshakes answered by SNI with the certificate each CDN,
DCDN or OSS custom domain is bound to (a name it does not know: unrecognized_name alert; HTTPS
off: handshake_failure), after a propagation delay ("propagation" below, or PUT
/_emulator/propagation; POST /_emulator/propagate finishes every change at once). A handshake
needs the certificate's key: the edge keeps the keys the API receives, the "key" of a
cas_certificates entry or PUT /_emulator/cas body, "tls_keys", and the keys POSTed to
/_emulator/tls_keys ({"pem"}) or PUT with a domain ("cert_key"), in memory only.

Options:
  --config FILE     JSON: {"accounts":[{"access_key_id","access_key_secret","user",
                    "ram_user"}],
                    "domains":["a.example.com" or {"name","user","status"}],
                    "dcdn_domains": (the same, for DCDN), "dcdn_write_limit":10,
                    "buckets":[{"name","region","user","verified_domains":[DOMAIN]}],
                    "oss_write_limit":10, "oss_read_limit":10,
                    "oss_list_denied":[USER] (their ListBuckets is refused),
                    "cas_certificates":[{"name","id","user","pem","key"}],
                    "propagation":{"delay_ms":0,"stale_handshakes":0},
                    "tls_keys":[PEM],
                    "roles":[{"arn","user","trusted_keys":[ID],"oidc_provider_arn",
                    "oidc_token","max_session_duration":3600,"ecs_role_name"}],
                    "write_limit":10,
                    "read_limit":100, "latency_ms":0, "jitter_ms":0, "transit_ms":0,
                    "signature_error":"SignatureDoesNotMatch", "error_rate":0,
                    "drop_rate":0, "seed":1,
                    "lose_answers":{"UploadUserCertificate":1},
                    "ram_denied":{"AKID or role ARN":["DescribeDomainCertificateInfo"]},
                    "call_limits":{"UpdateListenerAttribute":2}, "call_limit_period_ms":1000}
                    (lose_answers: the first N calls of an action are carried out,
                    then their answer is lost: the connection drops; ram_denied: the
                    actions a key's RAM policy lacks, answered 403 Forbidden.RAM, on
                    OSS 403 AccessDenied; call_limits: an RPC action's calls per user
                    per call_limit_period_ms, replacing its product's own window)
  --port N          port to listen on (default 0: any free port)
  --port-file FILE  write the bound port to FILE once listening
  --tls-port N      serve the edge's TLS handshakes on this port too (0: any free port)
  --tls-port-file FILE  write the edge's bound port to FILE once listening
  --tls-cert FILE   serve the API over HTTPS with this certificate (PEM) ...
  --tls-key FILE    ... and this key
  --help            this text
Stops cleanly on SIGTERM or SIGINT.
)";

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

// Writes `port` to `path` (nothing when empty), atomically: a reader never sees half of it.
void WritePortFile(const std::string& path, int port) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << port << "\n";
  std::rename(tmp.c_str(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, port_file, tls_cert, tls_key, tls_port_file;
  int tls_port = -1;  // -1: no edge
  certform::emulator::ServerOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "certform-emulator: %s needs a value\n", a.c_str());
        std::exit(1);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--config") {
      config_path = value();
    } else if (a == "--port") {
      options.port = std::atoi(value().c_str());
    } else if (a == "--port-file") {
      port_file = value();
    } else if (a == "--tls-port") {
      const std::string v = value();
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 0 || n > 65535) {
        std::fprintf(stderr, "certform-emulator: --tls-port must be 0 to 65535\n");
        return 1;
      }
      tls_port = static_cast<int>(n);
    } else if (a == "--tls-port-file") {
      tls_port_file = value();
    } else if (a == "--tls-cert") {
      options.tls_cert = value();
    } else if (a == "--tls-key") {
      options.tls_key = value();
    } else {
      std::fprintf(stderr, "certform-emulator: unknown option %s\n%s", a.c_str(), kUsage);
      return 1;
    }
  }
  std::string text;
  if (config_path.empty() || !ReadFile(config_path, &text)) {
    std::fprintf(stderr, "certform-emulator: cannot read --config %s\n", config_path.c_str());
    return 1;
  }
  certform::emulator::EmulatorConfig config;
  if (auto s = certform::emulator::ParseEmulatorConfig(text, &config); !s.ok()) {
    std::fprintf(stderr, "certform-emulator: %s: %s\n", config_path.c_str(), s.message().c_str());
    return 1;
  }
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  certform::engine::SystemClock clock;
  certform::emulator::CdnEmulator emulator(config, clock);
  certform::emulator::EmulatorServer server(emulator);
  int port = 0;
  if (auto s = server.Start(options, &port); !s.ok()) {
    std::fprintf(stderr, "certform-emulator: %s\n", s.message().c_str());
    return 1;
  }
  certform::emulator::TlsServer edge(
      [&emulator](const std::string& name) { return emulator.EdgeHandshake(name); });
  int edge_port = 0;
  if (tls_port >= 0) {
    if (auto s = edge.Start(tls_port, &edge_port); !s.ok()) {
      std::fprintf(stderr, "certform-emulator: %s\n", s.message().c_str());
      return 1;
    }
    WritePortFile(tls_port_file, edge_port);
    std::fprintf(stderr, "certform-emulator: serving TLS handshakes on 127.0.0.1:%d\n", edge_port);
  }
  WritePortFile(port_file, port);
  std::fprintf(stderr, "certform-emulator: listening on %s://127.0.0.1:%d\n",
               options.tls_cert.empty() ? "http" : "https", port);
  int sig = 0;
  sigwait(&stop, &sig);
  server.Stop();
  edge.Stop();
  std::fprintf(stderr, "certform-emulator: stopped (%s)\n", strsignal(sig));
  return 0;
}
