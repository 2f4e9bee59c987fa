#include "providers/alicloud/emulator/service_router.h"

#include <cctype>

namespace certform::emulator {

namespace {

bool WantsJson(const Params& params, const std::map<std::string, std::string>& headers) {
  std::string format = Param(params, "Format");
  for (char& c : format) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!format.empty()) return format == "json";
  return HeaderValue(headers, "accept").find("application/json") != std::string::npos;
}

// The query's parameters, then a form body's.
Params DecodeParams(const ApiRequest& r) {
  Params params;
  size_t q = r.target.find('?');
  if (q != std::string::npos) params = signature::ParseForm(r.target.substr(q + 1));
  if (r.method == "POST" &&
      HeaderValue(r.headers, "content-type").find("application/x-www-form-urlencoded") !=
          std::string::npos) {
    Params body = signature::ParseForm(r.body);
    params.insert(params.end(), body.begin(), body.end());
  }
  return params;
}

}  // namespace

ServiceHandler& ServiceRouter::Add(std::unique_ptr<ServiceHandler> handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handlers_.push_back(std::move(handler));
  return *handlers_.back();
}

void ServiceRouter::SetFallback(ServiceHandler* fallback) {
  std::lock_guard<std::mutex> lock(mu_);
  fallback_ = fallback;
}

std::vector<ServiceHandler*> ServiceRouter::Handlers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ServiceHandler*> out;
  for (const auto& h : handlers_) out.push_back(h.get());
  return out;
}

ApiResponse ServiceRouter::Handle(const ApiRequest& request, engine::Clock::Duration* latency) {
  ServiceRequest r{request, {}, {}, false, false, {}};
  r.params = DecodeParams(request);
  r.json = WantsJson(r.params, request.headers);
  if (auto fault = flow_.Arrive(r.json, &r.request_id, latency)) return *fault;
  r.v3 = HeaderValue(request.headers, "authorization")
             .starts_with(std::string(signature::kV3Algorithm) + " ");
  if (r.v3) {
    // V3 names the action and version in headers, not parameters.
    for (const auto& [header, name] :
         {std::pair<const char*, const char*>{"x-acs-action", "Action"},
          {"x-acs-version", "Version"}}) {
      auto h = request.headers.find(header);
      if (h != request.headers.end() && Param(r.params, name).empty()) {
        r.params.emplace_back(name, h->second);
      }
    }
  }
  r.action = Param(r.params, "Action");
  ServiceHandler* fallback = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fallback = fallback_;
  }
  for (ServiceHandler* h : Handlers()) {
    if (h->Accepts(r)) return h->Handle(r);
  }
  if (r.action.empty() || fallback == nullptr) {
    flow_.CountRejected();
    return RenderError({400, "MissingAction", "Action is mandatory for this action."}, r.request_id,
                       r.json);
  }
  return fallback->Handle(r);
}

void ServiceRouter::Reset() {
  for (ServiceHandler* h : Handlers()) h->Reset();
}

void ServiceRouter::AddState(nlohmann::json* state) const {
  for (ServiceHandler* h : Handlers()) h->AddState(state);
}

}  // namespace certform::emulator
