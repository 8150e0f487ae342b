#!/usr/bin/env ruby
# frozen_string_literal: true

# What launchd needs from packaging/macos/com.phoenix.hub.plist beyond the document type
# (xmllint checks that against packaging/macos/plist.dtd): keys paired with values, the hub run
# as `phoenix-hub serve` by the logged-in user (a LaunchAgent: no UserName, never root), kept
# alive, and logging to ~/Library/Logs where Console.app finds it.
# Usage: ruby plist_audit.rb PLIST   (exit 1 on a failed rule)

require "rexml/document"

path = ARGV.fetch(0) { abort "usage: #{$PROGRAM_NAME} PLIST" }
problems = []
rule = ->(ok, message) { problems << message unless ok }

# A plist value as Ruby data; a dict whose keys and values do not alternate is a problem.
def value_of(element, problems)
  case element.name
  when "dict"
    children = element.elements.to_a
    pairs = {}
    children.each_slice(2) do |key, value|
      if key.name != "key" || value.nil? || value.name == "key"
        problems << "a <dict> whose keys and values do not alternate (near <#{key.name}>)"
        next
      end
      problems << "key #{key.text} appears twice" if pairs.key?(key.text)
      pairs[key.text] = value_of(value, problems)
    end
    pairs
  when "array" then element.elements.map { |e| value_of(e, problems) }
  when "true" then true
  when "false" then false
  when "integer" then element.text.to_i
  else element.text.to_s
  end
end

doc = REXML::Document.new(File.read(path))
top = doc.root&.elements&.first
abort "#{path}: not a property list with one top-level value" unless doc.root&.name == "plist" && top
plist = value_of(top, problems)
abort "#{path}: the top-level value is not a dict" unless plist.is_a?(Hash)

rule.call(plist["Label"] == "com.phoenix.hub", "Label is not com.phoenix.hub")
args = plist["ProgramArguments"]
rule.call(args.is_a?(Array) && args.first.to_s.end_with?("/phoenix-hub") && args[1] == "serve",
          "ProgramArguments do not run phoenix-hub serve")
rule.call(args.is_a?(Array) && args.first.to_s.start_with?("/", "__BIN__/"),
          "ProgramArguments[0] is not an absolute path (launchd does not search PATH)")
rule.call(!plist.key?("UserName") && !plist.key?("GroupName"),
          "UserName/GroupName set: the hub runs as the logged-in user who owns ~/.tart (a LaunchAgent), never root")
rule.call(!plist.key?("Program") || plist["Program"].to_s.end_with?("/phoenix-hub"), "Program is not phoenix-hub")
rule.call(plist["RunAtLoad"] == true, "RunAtLoad is not true")
rule.call(plist["KeepAlive"] == true || plist["KeepAlive"].is_a?(Hash), "KeepAlive is not set")
%w[StandardOutPath StandardErrorPath].each do |key|
  rule.call(plist[key].to_s.match?(%r{\A(__HOME__|/Users/[^/]+)/Library/Logs/}),
            "#{key} is not under ~/Library/Logs (where Console.app finds logs)")
end
env = plist["EnvironmentVariables"] || {}
rule.call(env["PHOENIX_LOG_TIMESTAMPS"] == "1", "PHOENIX_LOG_TIMESTAMPS is not 1 (launchd's logs carry no times)")
rule.call(!plist.to_s.include?("sudo") && !plist.to_s.include?("/var/root"), "the plist refers to root")

if problems.empty?
  puts "plist audit: ok (#{path})"
else
  problems.each { |p| warn "#{path}: #{p}" }
  exit 1
end
