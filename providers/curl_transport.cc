#include "providers/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace certform::providers {

namespace {

// curl_global_init is not thread-safe; do it once, before any handle exists.
struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

// The body being received and its cap; `exceeded` once a chunk would have gone past it.
struct BodySink {
  std::string* body;
  int64_t max_bytes;
  bool exceeded = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  if (static_cast<int64_t>(sink->body->size() + n) > sink->max_bytes) {
    sink->exceeded = true;
    return 0;  // anything but n: curl stops the transfer with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * count;
}

// Translates curl's error codes into Status (the only place that knows CURLcode).
engine::Status ToStatus(CURLcode code, const char* detail, const std::string& url,
                        int64_t max_body_bytes) {
  std::string msg = url + ": " + (detail[0] ? detail : curl_easy_strerror(code));
  switch (code) {
    case CURLE_FILESIZE_EXCEEDED:  // a Content-Length past CURLOPT_MAXFILESIZE_LARGE
    case CURLE_WRITE_ERROR:        // OnBody refused a chunk past the cap
      return engine::Status::Failed(fmt::format(
          "the answer of {} is larger than {} bytes, more than any API answer: the transfer was "
          "stopped",
          url, max_body_bytes));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return engine::Status::Failed("TLS verification failed for " + msg +
                                    " (is the CA bundle right?)");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return engine::Status::InvalidArgument("bad endpoint URL " + msg);
    case CURLE_OPERATION_TIMEDOUT:
      return engine::Status::Unavailable("timed out: " + msg);
    default:
      return engine::Status::Unavailable("network error: " + msg);
  }
}

}  // namespace

CurlTransport::CurlTransport(CurlOptions options) : options_(std::move(options)) {
  static CurlGlobal global;
}

CurlTransport::~CurlTransport() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlTransport::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlTransport::Release(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(handle);
}

engine::Status CurlTransport::Send(const HttpRequest& request, HttpResponse* response) {
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return engine::Status::IoError("curl_easy_init failed");
  curl_easy_reset(curl);  // keeps the connection cache, forgets the previous request's options
  *response = HttpResponse();
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  std::string line;
  for (const auto& [name, value] : request.headers) {
    line.assign(name).append(": ").append(value);
    headers = curl_slist_append(headers, line.c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for big bodies
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method != "GET" && request.method != "HEAD") {  // a body, if only Content-Length: 0
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM, safe in threads
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_bundle.empty())
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  BodySink sink{&response->body, options_.max_body_bytes};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  // Refused before the first byte when the answer announces its size (Content-Length).
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_body_bytes));
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response->headers);
  // Proxies come from the usual variables (https_proxy, HTTPS_PROXY, no_proxy), read by curl.
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  Release(curl);
  if (code != CURLE_OK) {
    response->body.clear();
    // Only OnBody's refusal is a size problem; another write error keeps curl's own words.
    if (code == CURLE_WRITE_ERROR && !sink.exceeded) code = CURLE_RECV_ERROR;
    return ToStatus(code, error, request.url, options_.max_body_bytes);
  }
  response->status = static_cast<int>(status);
  return engine::Status::OK();
}

std::string CurlVersion() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  std::string v = info->version;
  if (info->ssl_version != nullptr) v += std::string(" (") + info->ssl_version + ")";
  return v;
}

}  // namespace certform::providers
