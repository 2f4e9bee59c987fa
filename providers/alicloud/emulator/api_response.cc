#include "providers/alicloud/emulator/api_response.h"

#include "providers/alicloud/xml_text.h"

namespace certform::emulator {

namespace {

// POP's XML rendering: objects become nested elements, arrays repeat the element name.
template <typename Json>
void ToXml(const std::string& name, const Json& v, std::string* out) {
  if (v.is_array()) {
    for (const auto& item : v) ToXml(name, item, out);
    return;
  }
  *out += "<" + name + ">";
  if (v.is_object()) {
    for (const auto& [k, child] : v.items()) ToXml(k, child, out);
  } else if (v.is_string()) {
    *out += alicloud::XmlEscape(v.template get<std::string>());
  } else {
    *out += v.dump();
  }
  *out += "</" + name + ">";
}

template <typename Json>
ApiResponse Render(int status, const std::string& root, const Json& doc, bool json) {
  ApiResponse r;
  r.status = status;
  if (json) {
    r.body = doc.dump();
  } else {
    r.content_type = "text/xml;charset=utf-8";
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    ToXml(root, doc, &r.body);
  }
  return r;
}

}  // namespace

ApiError MissingParam(const std::string& name) {
  return {400, "Missing" + name, name + " is mandatory for this action."};
}

ApiResponse RenderError(const ApiError& error, const std::string& request_id, bool json) {
  // Field order as in the API's documented error body.
  nlohmann::ordered_json doc = {
      {"RequestId", request_id},
      {"HostId", "cdn.aliyuncs.com"},
      {"Code", error.code},
      {"Message", error.message},
      {"Recommend", "https://api.aliyun.com/troubleshoot?q=" + error.code +
                        "&product=Cdn&requestId=" + request_id}};
  return Render(error.status, "Error", doc, json);
}

ApiResponse RenderSuccess(const std::string& action, const nlohmann::json& doc, bool json) {
  return Render(200, action + "Response", doc, json);
}

}  // namespace certform::emulator
