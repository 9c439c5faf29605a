#include "converter/ir.h"

#include <algorithm>
#include <set>

namespace qrun::conv {

const char* elem_type_name(ElemType t) {
  switch (t) {
    case ElemType::kFloat: return "float32";
    case ElemType::kInt64: return "int64";
    case ElemType::kInt32: return "int32";
    case ElemType::kInt8: return "int8";
    case ElemType::kUInt8: return "uint8";
    case ElemType::kBool: return "bool";
    case ElemType::kOther: return "other";
  }
  return "?";
}

int64_t Node::geti(const std::string& a, int64_t def) const {
  auto it = attrs.find(a);
  return it == attrs.end() ? def : it->second.i;
}
float Node::getf(const std::string& a, float def) const {
  auto it = attrs.find(a);
  return it == attrs.end() ? def : it->second.f;
}
std::vector<int64_t> Node::getints(const std::string& a, std::vector<int64_t> def) const {
  auto it = attrs.find(a);
  return it == attrs.end() ? def : it->second.ints;
}
std::string Node::gets(const std::string& a, const std::string& def) const {
  auto it = attrs.find(a);
  return it == attrs.end() ? def : it->second.s;
}

Value& Graph::value(const std::string& name) {
  Value& v = values[name];
  v.name = name;
  return v;
}

const Value* Graph::find(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

bool Graph::is_const(const std::string& name) const {
  const Value* v = find(name);
  return v != nullptr && v->is_const;
}

std::vector<std::pair<int, int>> Graph::consumers(const std::string& name) const {
  std::vector<std::pair<int, int>> out;
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (size_t i = 0; i < nodes[n].inputs.size(); ++i) {
      if (nodes[n].inputs[i] == name) out.emplace_back(static_cast<int>(n), static_cast<int>(i));
    }
  }
  return out;
}

int Graph::producer(const std::string& name) const {
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (const std::string& o : nodes[n].outputs) {
      if (o == name) return static_cast<int>(n);
    }
  }
  return -1;
}

bool Graph::is_graph_output(const std::string& name) const {
  return std::find(outputs.begin(), outputs.end(), name) != outputs.end();
}

void Graph::replace_uses(const std::string& from, const std::string& to) {
  for (Node& n : nodes) {
    for (std::string& i : n.inputs) {
      if (i == from) i = to;
    }
  }
  for (std::string& o : outputs) {
    if (o == from) o = to;
  }
}

void Graph::remove_dead() {
  std::set<std::string> live(outputs.begin(), outputs.end());
  std::vector<bool> keep(nodes.size(), false);
  for (size_t k = nodes.size(); k-- > 0;) {
    bool used = false;
    for (const std::string& o : nodes[k].outputs) used = used || live.count(o) != 0;
    if (!used) continue;
    keep[k] = true;
    for (const std::string& i : nodes[k].inputs) {
      if (!i.empty()) live.insert(i);
    }
  }
  std::vector<Node> kept;
  for (size_t k = 0; k < nodes.size(); ++k) {
    if (keep[k]) kept.push_back(std::move(nodes[k]));
  }
  nodes = std::move(kept);
  for (const std::string& i : inputs) live.insert(i);
  for (auto it = values.begin(); it != values.end();) {
    it = live.count(it->first) ? std::next(it) : values.erase(it);
  }
}

std::string Graph::unique_name(const std::string& base) {
  for (;;) {
    std::string n = base + "__" + std::to_string(counter_++);
    if (values.count(n) == 0) return n;
  }
}

std::string node_label(const Node& n) {
  return "node '" + n.name + "' (" + n.op + ")";
}

}  // namespace qrun::conv
