// YAML for Prometheus rule files, with the keys in the order people read them (alert or record
// first, annotations last) rather than std.manifestYamlDoc's alphabetical order. Multi-line
// strings become block scalars; strings that YAML could read as something else are quoted.
local keyOrder = [
  'name',
  'interval',
  'rules',
  'alert',
  'record',
  'expr',
  'for',
  'labels',
  'annotations',
  'summary',
  'description',
  'runbook_url',
];

local orderedKeys(object) =
  local fields = std.objectFields(object);
  [key for key in keyOrder if std.member(fields, key)]
  + [key for key in fields if !std.member(keyOrder, key)];

local letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
// Objects as character sets: std.objectHas is native, std.setMember is slow jsonnet code.
local firstChars = { [c]: true for c in std.stringChars(letters) };
local plainChars = { [c]: true for c in std.stringChars(letters + '0123456789_-.') };
local reserved = ['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n', '~'];

// Plain (unquoted) only for short identifiers: alert and record names, severities, label values.
local scalar(value) =
  if std.isString(value) then
    local chars = std.stringChars(value);
    if std.length(value) > 0
       && std.objectHas(firstChars, chars[0])
       && std.length([c for c in chars if !std.objectHas(plainChars, c)]) == 0
       && !std.member(reserved, std.asciiLower(value))
    then value
    else std.escapeStringJson(value)
  else std.manifestJsonEx(value, '');

local isBlock(value) = std.isString(value) && std.endsWith(value, '\n');
local isNested(value) = (std.isObject(value) && std.length(value) > 0)
                        || (std.isArray(value) && std.length(value) > 0);

// Lines of `value` indented by `indent`, for use after "key:" or "- ".
local lines(value, indent) =
  local pad = std.repeat(' ', indent);
  if std.isObject(value) then
    std.flattenArrays([
      local v = value[key];
      if isBlock(v) then
        ['%s%s: |' % [pad, key]]
        + ['%s  %s' % [pad, line] for line in std.split(std.rstripChars(v, '\n'), '\n')]
      else if isNested(v) then
        ['%s%s:' % [pad, key]] + lines(v, indent + 2)
      else
        ['%s%s: %s' % [pad, key, scalar(v)]]
      for key in orderedKeys(value)
    ])
  else if std.isArray(value) then
    std.flattenArrays([
      local inner = lines(item, indent + 2);
      if isNested(item) || isBlock(item) then
        ['%s- %s' % [pad, std.lstripChars(inner[0], ' ')]] + inner[1:]
      else
        ['%s- %s' % [pad, scalar(item)]]
      for item in value
    ])
  else
    [pad + scalar(value)];

{
  // The YAML document for `value` (an object), without the final newline (`jsonnet -S` adds it).
  manifest(value):: std.join('\n', lines(value, 0)),
}
