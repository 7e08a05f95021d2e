#include "assignment_json.h"

namespace netboot {

using isc::data::ConstElementPtr;
using isc::data::Element;
using isc::data::ElementPtr;

namespace {

constexpr int64_t kStateVersion = 1;
const char* const kKeyNames[] = {"hw-address", "duid", "client-id"};

[[noreturn]] void fail(const std::string& field, const std::string& message) {
    throw ConfigError(field + ": " + message);
}

std::string typeName(const ConstElementPtr& e) {
    return Element::typeToName(static_cast<Element::types>(e->getType()));
}

HostKey keyFrom(const ConstElementPtr& map, const std::string& prefix) {
    if (!map || map->getType() != Element::map) {
        fail(prefix.empty() ? "arguments" : prefix, "must be a map");
    }
    std::optional<HostKey> key;
    std::string found;
    for (const char* name : kKeyNames) {
        ConstElementPtr value = map->get(name);
        if (!value) continue;
        const std::string field = prefix.empty() ? name : prefix + "." + name;
        if (key) {
            fail(field, "give only one of hw-address, duid and client-id (" + found + " is given too)");
        }
        if (value->getType() != Element::string) fail(field, "must be a string, not " + typeName(value));
        key = parseHostKey(*hostKeyKind(name), value->stringValue());
        if (!key) {
            fail(field, "'" + value->stringValue() + "' is not a byte string like 52:54:00:12:34:56");
        }
        found = name;
    }
    if (!key) fail(prefix.empty() ? "arguments" : prefix, "name the machine with hw-address, duid or client-id");
    return *key;
}

}  // namespace

HostKey parseHostKeyArguments(const ConstElementPtr& args) {
    return keyFrom(args, "");
}

SetRequest parseSetArguments(const ConstElementPtr& args, const BootPolicy& policy, int64_t now) {
    SetRequest request{keyFrom(args, ""), {}};
    for (const auto& [name, value] : args->mapValue()) {
        if (name != "hw-address" && name != "duid" && name != "client-id" && name != "profile" && name != "once" &&
            name != "expires-in") {
            fail(name, "unknown argument (known: hw-address, duid, client-id, profile, once, expires-in)");
        }
    }
    ConstElementPtr profile = args->get("profile");
    if (!profile) fail("profile", "missing: which profile should the machine boot?");
    if (profile->getType() != Element::string) fail("profile", "must be a string, not " + typeName(profile));
    if (!policy.hasProfile(profile->stringValue())) {
        std::string known(BootPolicy::kDefaultProfile);
        for (const auto& p : policy.profiles()) known += ", " + p.first;
        fail("profile", "unknown profile '" + profile->stringValue() + "' (known: " + known + ")");
    }
    request.assignment.profile = profile->stringValue();
    if (ConstElementPtr once = args->get("once")) {
        if (once->getType() != Element::boolean) fail("once", "must be true or false, not " + typeName(once));
        request.assignment.once = once->boolValue();
    }
    if (ConstElementPtr expires = args->get("expires-in")) {
        if (expires->getType() != Element::integer) {
            fail("expires-in", "must be a whole number of seconds, not " + typeName(expires));
        }
        if (expires->intValue() <= 0) fail("expires-in", "must be a positive number of seconds");
        request.assignment.expiresAt = now + expires->intValue();
    }
    request.assignment.createdAt = now;
    return request;
}

ElementPtr assignmentToElement(const HostKey& key, const Assignment& assignment) {
    ElementPtr e = Element::createMap();
    e->set(std::string(key.kindName()), Element::create(key.text()));
    e->set("profile", Element::create(assignment.profile));
    e->set("once", Element::create(assignment.once));
    if (assignment.expiresAt) e->set("expires-at", Element::create(static_cast<long long>(*assignment.expiresAt)));
    e->set("created-at", Element::create(static_cast<long long>(assignment.createdAt)));
    return e;
}

ElementPtr storeToElement(const AssignmentStore& store) {
    ElementPtr root = Element::createMap();
    root->set("version", Element::create(static_cast<long long>(kStateVersion)));
    ElementPtr list = Element::createList();
    for (const auto& [key, assignment] : store.entries()) list->add(assignmentToElement(key, assignment));
    root->set("assignments", list);
    return root;
}

AssignmentStore storeFromElement(const ConstElementPtr& root, const std::string& path) {
    if (!root || root->getType() != Element::map) fail(path, "not a netboot state file (no top-level map)");
    ConstElementPtr version = root->get("version");
    if (!version || version->getType() != Element::integer || version->intValue() != kStateVersion) {
        fail(path + ".version", "unsupported state file version (expected 1)");
    }
    ConstElementPtr list = root->get("assignments");
    if (!list || list->getType() != Element::list) fail(path + ".assignments", "missing or not a list");
    AssignmentStore store;
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string at = path + ".assignments[" + std::to_string(i) + "]";
        ConstElementPtr entry = list->get(i);
        HostKey key = keyFrom(entry, at);
        Assignment a;
        ConstElementPtr profile = entry->get("profile");
        if (!profile || profile->getType() != Element::string) fail(at + ".profile", "missing or not a string");
        a.profile = profile->stringValue();
        if (ConstElementPtr once = entry->get("once")) {
            if (once->getType() != Element::boolean) fail(at + ".once", "must be true or false");
            a.once = once->boolValue();
        }
        if (ConstElementPtr expires = entry->get("expires-at")) {
            if (expires->getType() != Element::integer) fail(at + ".expires-at", "must be an integer");
            a.expiresAt = expires->intValue();
        }
        if (ConstElementPtr created = entry->get("created-at")) {
            if (created->getType() != Element::integer) fail(at + ".created-at", "must be an integer");
            a.createdAt = created->intValue();
        }
        store.set(key, a);
    }
    return store;
}

}  // namespace netboot
