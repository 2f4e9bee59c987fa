#include "cmd/certform/preflight.h"

#include <fmt/format.h>

#include "cmd/certform/providers_setup.h"
#include "engine/base/text_escape.h"
#include "engine/calls/paced_call.h"
#include "engine/config/certificate.h"
#include "providers/alicloud/caller_identity.h"
#include "providers/alicloud/credentials.h"
#include "providers/alicloud/rpc_client.h"
#include "providers/alicloud/sts_credentials.h"

namespace certform::cli {

namespace {

using engine::ForTerminal;
using engine::PreflightCheck;

// Where the credentials came from and what they are; never the secret or the token.
std::string Described(const alicloud::CredentialSpec& spec) {
  switch (spec.kind) {
    case alicloud::CredentialKind::kAccessKey:
      return fmt::format("AccessKeyId {}{}, from {}", ForTerminal(spec.access_key.access_key_id),
                         spec.access_key.security_token.empty() ? "" : " with an STS token",
                         ForTerminal(spec.source));
    case alicloud::CredentialKind::kRamRoleArn:
      return fmt::format("role {} assumed with AccessKeyId {}, from {}", ForTerminal(spec.role_arn),
                         ForTerminal(spec.access_key.access_key_id), ForTerminal(spec.source));
    case alicloud::CredentialKind::kOidc:
      return fmt::format("OIDC role {} (token file {}), from {}", ForTerminal(spec.role_arn),
                         ForTerminal(spec.oidc_token_file), ForTerminal(spec.source));
    case alicloud::CredentialKind::kEcsRamRole:
      return spec.ecs_role_name.empty()
                 ? std::string("the ECS instance's RAM role (named by the metadata service)")
                 : fmt::format("the ECS instance's RAM role {}", ForTerminal(spec.ecs_role_name));
  }
  return "credentials";
}

PreflightCheck Line(const std::string& account, const std::string& check,
                    PreflightCheck::Result result, std::string detail) {
  PreflightCheck line;
  line.account = account;
  line.check = check;
  line.result = result;
  line.detail = std::move(detail);
  return line;
}

// The account's credentials, resolved and (for a role) issued: the source on success, else null
// with the failed line added.
std::shared_ptr<alicloud::CredentialSource> CheckCredentials(const engine::AccountConfig& a,
                                                             const PreflightRequest& request,
                                                             ProviderSet& set, Context& ctx,
                                                             std::vector<PreflightCheck>* lines) {
  alicloud::CredentialSpec spec;
  engine::Status s =
      alicloud::ResolveAccountCredentials(a, request.connection.profile, ctx.env, ctx.fs, &spec);
  if (!s.ok()) {
    lines->push_back(
        Line(a.name, "credentials", PreflightCheck::Result::kFailed, ForTerminal(s.message())));
    return nullptr;
  }
  std::shared_ptr<alicloud::CredentialSource> source =
      alicloud::MakeCredentialSource(spec, set.StsFor(a));
  const std::string described = Described(spec);
  engine::WipeSecret(&spec.access_key.access_key_secret);
  engine::WipeSecret(&spec.access_key.security_token);
  alicloud::Credentials issued;
  engine::CallResult result;
  s = source->Get(&issued, &result);
  engine::WipeSecret(&issued.access_key_secret);
  engine::WipeSecret(&issued.security_token);
  if (!s.ok()) {
    PreflightCheck line = Line(a.name, "credentials", PreflightCheck::Result::kFailed,
                               fmt::format("{}: {}", described, ForTerminal(s.message())));
    line.error_code = result.error_code;
    lines->push_back(std::move(line));
    return nullptr;
  }
  const bool temporary = spec.kind != alicloud::CredentialKind::kAccessKey;
  lines->push_back(Line(a.name, "credentials", PreflightCheck::Result::kOk,
                        temporary ? fmt::format("{}; temporary AccessKeyId {} issued", described,
                                                ForTerminal(issued.access_key_id))
                                  : described));
  return source;
}

// STS GetCallerIdentity with the account's credentials, paced in its own lane for the user.
void CheckIdentity(const engine::AccountConfig& a, const engine::AccountRuntime& runtime,
                   std::shared_ptr<alicloud::CredentialSource> source, ProviderSet& set,
                   Context& ctx, std::vector<PreflightCheck>* lines) {
  alicloud::RpcClient sts(set.transport(), ctx.clock, ctx.random, std::move(source),
                          set.Via(a.sts_endpoint), alicloud::kStsApiVersion);
  sts.set_quote_unexpected_answers(false);
  const engine::CallLimit limit = alicloud::CallerIdentityLimit();
  const engine::RetryPolicy retry{engine::RetryOptions{}};
  engine::PacedCallHooks hooks;
  hooks.backoff = [&](int attempts, engine::Clock::Duration retry_after) {
    return retry.Backoff(attempts, retry_after, ctx.random);
  };
  alicloud::CallerIdentity id;
  const engine::PacedCallResult r = engine::PacedCall(
      set.pacing().Lane(runtime.user, limit), retry, ctx.clock,
      [&](engine::CallResult* result) { return alicloud::GetCallerIdentity(sts, &id, result); },
      hooks);
  if (!r.status.ok()) {
    lines->push_back(engine::FailedCall(a.name, "identity", limit, r.status, r.last));
    return;
  }
  PreflightCheck line =
      Line(a.name, "identity", PreflightCheck::Result::kOk,
           fmt::format("{} ({}, account {})", ForTerminal(id.arn),
                       id.identity_type.empty() ? "identity" : ForTerminal(id.identity_type),
                       ForTerminal(id.account_id)));
  line.api = limit.api;
  lines->push_back(std::move(line));
}

}  // namespace

engine::Status RunPreflight(const engine::Config& config, const PreflightRequest& request,
                            Context& ctx, std::vector<PreflightCheck>* lines) {
  ProviderSet set;
  if (engine::Status s = set.Prepare(request.connection, ctx); !s.ok()) return s;
  const engine::RetryPolicy retry{engine::RetryOptions{}};
  for (const auto& [name, account] : config.accounts) {
    std::shared_ptr<alicloud::CredentialSource> source =
        CheckCredentials(account, request, set, ctx, lines);
    const engine::AccountNeeds needs = engine::NeedsOf(config, name, request.with_prune);
    if (source == nullptr) {
      lines->push_back(
          Line(name, "identity", PreflightCheck::Result::kSkipped, "not checked: no credentials"));
      continue;
    }
    set.AddAccount(config, account, source, ctx);
    const std::map<std::string, engine::AccountRuntime> runtimes = set.Runtimes();
    const engine::AccountRuntime& runtime = runtimes.at(name);
    CheckIdentity(account, runtime, source, set, ctx, lines);
    for (engine::PreflightCheck& line : engine::CheckPermissions(name, runtime, needs, set.pacing(),
                                                                 retry, ctx.clock, ctx.random)) {
      lines->push_back(std::move(line));
    }
  }
  return engine::Status::OK();
}

}  // namespace certform::cli
