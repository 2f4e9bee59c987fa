// ScriptedTransport: an HTTP transport for tests that records every request and answers from a
// script (then 200 "{}"), to give a client the answers no emulator gives: malformed, hostile,
// of another shape.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "providers/http_transport.h"

namespace certform::testing {

// Records every request and answers from a script (then 200 "{}").
class ScriptedTransport final : public providers::HttpTransport {
 public:
  engine::Status Send(const providers::HttpRequest& request,
                      providers::HttpResponse* response) override {
    sent.push_back(request);
    *response = providers::HttpResponse();
    response->status = 200;
    response->body = "{}";
    if (!script.empty()) {
      *response = script.front();
      script.pop_front();
    }
    return engine::Status::OK();
  }
  void Answer(int status, std::string body) {
    providers::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    script.push_back(std::move(r));
  }
  std::vector<providers::HttpRequest> sent;
  std::deque<providers::HttpResponse> script;
};

}  // namespace certform::testing
