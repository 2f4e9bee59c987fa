// The emulator's answers: a success document or the API's error body, rendered as JSON or XML.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace certform::emulator {

struct ApiResponse {
  int status = 200;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string content_type = "application/json;charset=utf-8";
  bool drop = false;  // fault injection: close the connection without answering
};

// An error as the gateway reports it, before rendering.
struct ApiError {
  int status = 400;
  std::string code;
  std::string message;
};

// The gateway's answer to a missing parameter NAME: 400 MissingNAME.
ApiError MissingParam(const std::string& name);

// {"RequestId","HostId","Code","Message","Recommend"} in JSON, or <Error>…</Error> in XML.
ApiResponse RenderError(const ApiError& error, const std::string& request_id, bool json);

// `doc` (which must hold RequestId) as JSON, or as XML under <ACTION>Response>.
ApiResponse RenderSuccess(const std::string& action, const nlohmann::json& doc, bool json);

}  // namespace certform::emulator
