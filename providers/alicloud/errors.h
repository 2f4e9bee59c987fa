// Translating the Alibaba Cloud API's answers (HTTP status, JSON body with Code, Message,
// RequestId, Recommend, and the x-acs-retry-after header) into Status: the only place that knows
// the API's error codes. The engine decides on retries through Status::IsRetryable().
#pragma once

#include <nlohmann/json.hpp>

#include "engine/base/status.h"
#include "engine/calls/provider.h"
#include "providers/alicloud/secret_scrubber.h"
#include "providers/http_transport.h"

namespace certform::alicloud {

// True for codes worth retrying: throttling (Throttling, Throttling.*, Rejected.Throttling, which
// classify as Status::Throttled), ServiceUnavailable, InternalError, ServiceBusy.
bool IsRetryableCode(const std::string& code);

// Reads `response`: on success (2xx with a JSON object body) fills `body` and returns OK;
// otherwise returns the classified error. `result` always receives the status, RequestId, error
// code and message, and the retry-after hint (milliseconds, clamped to at most 60 s).
// `access_key_id` (never the secret) is used to make authentication errors actionable. Every
// piece of API-supplied text passes through `scrubber` (the request's secrets) first; errors that
// concern the whole account (credentials, token, RAM, clock skew) come back as PermissionDenied
// with certform's own message.
engine::Status InterpretResponse(const providers::HttpResponse& response,
                                 const std::string& access_key_id, const SecretScrubber& scrubber,
                                 nlohmann::json* body, engine::CallResult* result);

// The same for an OSS answer: 2xx is success (the XML body is the caller's to read); otherwise the
// <Error> document's Code, Message and RequestId (x-oss-request-id), classified: a refused key,
// signature, token or clock stops the account (PermissionDenied); SlowDown is Throttled; 5xx is
// Unavailable; NoSuchBucket and NoSuchCertificate are NotFound; the rest (AccessDenied for one
// bucket, NeedVerifyDomainOwnership, InvalidArgument) concern one binding.
engine::Status InterpretOssResponse(const providers::HttpResponse& response,
                                    const std::string& access_key_id,
                                    const SecretScrubber& scrubber, engine::CallResult* result);

}  // namespace certform::alicloud
