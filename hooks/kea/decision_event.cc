#include "decision_event.h"

namespace netboot {

using isc::data::Element;
using isc::data::ElementPtr;

ElementPtr toElement(const DecisionEvent& event) {
    ElementPtr out = Element::createMap();
    auto text = [&](const char* key, std::string_view value) {
        if (!value.empty()) out->set(key, Element::create(std::string(value)));
    };
    out->set("v", Element::create(DecisionEvent::kVersion));
    if (event.time) out->set("time", Element::create(static_cast<long long>(*event.time)));
    text("family", event.family);
    text("packet", event.packet);
    text("mac", event.mac);
    text("mac-source", event.macSource);
    text("client", event.client);
    text("arch", event.arch);
    text("transport", event.transport);
    out->set("ipxe", Element::create(event.ipxe));
    if (event.vendorClass) out->set("vendor-class", Element::create(*event.vendorClass));
    text("answer", event.answer);
    out->set("boot-file", Element::create(event.bootFile));
    text("why", event.why);
    text("kea-boot-file-replaced", event.keaBootFileReplaced);
    text("profile", event.profile);
    text("assignment", event.assignment);
    text("assignment-not-used", event.assignmentNotUsed);
    return out;
}

}  // namespace netboot
