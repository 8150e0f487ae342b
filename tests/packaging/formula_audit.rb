#!/usr/bin/env ruby
# frozen_string_literal: true

# Rules in the spirit of `brew audit --strict --new` that can be checked without Homebrew, for
# packaging/homebrew/phoenix-hub.rb. The formula is evaluated against a small stand-in for
# Homebrew's Formula DSL (recording what it declares and what `install` would run), then its text
# is checked for layout. Usage: ruby formula_audit.rb FORMULA.rb   (exit 1 on a failed rule)

require "pathname"

# The parts of Homebrew's Formula DSL the formula uses, recording what they are given.
class Formula
  class << self
    attr_reader :fields, :deps, :service_block, :test_block

    def inherited(sub)
      super
      sub.instance_variable_set(:@fields, {})
      sub.instance_variable_set(:@deps, [])
    end

    %i[desc homepage url sha256 license version].each do |name|
      define_method(name) { |value| @fields[name] = value }
    end

    def depends_on(dep) = @deps << dep
    def service(&block) = @service_block = block
    def test(&block) = @test_block = block
  end

  attr_reader :commands

  def initialize = @commands = []
  def system(*args) = @commands << args.map(&:to_s)
  def std_cmake_args = %w[-DCMAKE_INSTALL_PREFIX=/opt/homebrew/Cellar/phoenix-hub/0.1.0 -DCMAKE_BUILD_TYPE=Release]
  def opt_bin = Pathname("/opt/homebrew/opt/phoenix-hub/bin")
  def bin = Pathname("/opt/homebrew/Cellar/phoenix-hub/0.1.0/bin")
  def var = Pathname("/opt/homebrew/var")
end

# What a `service do` block declares.
class ServiceRecorder
  attr_reader :settings

  def initialize(formula) = (@formula = formula) && (@settings = {})
  def std_service_path_env = "/opt/homebrew/bin:/opt/homebrew/sbin:/usr/bin:/bin:/usr/sbin:/sbin"
  def opt_bin = @formula.opt_bin
  def var = @formula.var

  %i[run keep_alive log_path error_log_path environment_variables working_dir require_root
     run_type process_type].each do |name|
    define_method(name) { |*args| @settings[name] = args.length == 1 ? args.first : args }
  end
end

path = ARGV.fetch(0) { abort "usage: #{$PROGRAM_NAME} FORMULA.rb" }
text = File.read(path)
problems = []
rule = ->(ok, message) { problems << message unless ok }

load path
expected_class = File.basename(path, ".rb").split("-").map(&:capitalize).join
klass = Object.const_defined?(expected_class) ? Object.const_get(expected_class) : nil
abort "#{path}: defines no class #{expected_class} (the file name decides the class name)" unless klass

f = klass.fields
rule.call(f[:desc].is_a?(String) && !f[:desc].empty?, "desc is missing")
desc = f[:desc].to_s
rule.call(desc.length <= 80, "desc is #{desc.length} characters (at most 80)")
rule.call(!desc.match?(/\A(an?|the)\s/i), "desc starts with an article")
rule.call(!desc.downcase.start_with?("phoenix"), "desc starts with the formula's name")
rule.call(!desc.end_with?("."), "desc ends with a full stop")
rule.call(f[:homepage].to_s.start_with?("https://"), "homepage is not https")
rule.call(f[:url].to_s.match?(%r{\Ahttps://.+\.tar\.(gz|xz)\z}), "url is not an https release tarball")
rule.call(f[:sha256].to_s.match?(/\A\h{64}\z/), "sha256 is not 64 hex digits")
licence_file = Dir[File.join(File.dirname(path), "../../{LICENSE,LICENCE,COPYING}*")].first
if licence_file
  rule.call(f.key?(:license), "the repository has #{File.basename(licence_file)} but the formula declares no license")
else
  warn "#{path}: note: no license stanza, as the repository has no LICENSE (brew audit --strict will ask)"
end

deps = klass.deps
rule.call(deps.include?({ "cmake" => :build }), "cmake is not a build dependency")
%w[boost openssl@3 nlohmann-json sqlite].each { |d| rule.call(deps.include?(d), "no depends_on \"#{d}\"") }
rule.call(deps.include?(:macos), "no depends_on :macos (tart, and so the hub's driver, is macOS-only)")
names = deps.select { |d| d.is_a?(String) }
rule.call(names == names.sort, "runtime dependencies are not in alphabetical order")

formula = klass.new
formula.install
cmake = formula.commands.find { |c| c.first == "cmake" && c.include?("-S") }
rule.call(!cmake.nil?, "install does not configure with cmake")
rule.call(cmake&.include?("-DPHOENIX_PORTABLE=ON"), "install does not build the portable hub (-DPHOENIX_PORTABLE=ON)")
rule.call(cmake&.any? { |a| a.start_with?("-DCMAKE_INSTALL_PREFIX=") }, "install does not pass std_cmake_args")
rule.call(formula.commands.any? { |c| c.first(2) == ["cmake", "--install"] }, "install does not run cmake --install")

rule.call(!klass.service_block.nil?, "no service block (brew services)")
if klass.service_block
  service = ServiceRecorder.new(formula)
  service.instance_eval(&klass.service_block)
  s = service.settings
  run = Array(s[:run]).map(&:to_s)
  rule.call(run.first.to_s.end_with?("/opt/phoenix-hub/bin/phoenix-hub") && run[1] == "serve",
            "the service does not run opt_bin/\"phoenix-hub\" serve")
  rule.call(s[:require_root] != true, "the service requires root (tart's VMs belong to the user: never root)")
  rule.call(s.key?(:keep_alive), "the service sets no keep_alive")
  rule.call(s[:log_path].to_s.start_with?("/opt/homebrew/var/log/"), "the service's log_path is not under var/log")
end
rule.call(!klass.test_block.nil?, "no test block")

# Layout: brew's component order, indentation, whitespace.
order = %w[desc homepage url sha256 license depends_on def\ install def\ caveats service test]
positions = order.map { |word| [word, text.index(/^\s+#{Regexp.escape(word)}\b/)] }.reject { |_, at| at.nil? }
rule.call(positions.map(&:last) == positions.map(&:last).sort, "components out of order (#{order.join(', ')})")
text.each_line.with_index(1) do |line, n|
  rule.call(!line.include?("\t"), "line #{n}: a tab")
  rule.call(!line.match?(/[ \t]+\n\z/), "line #{n}: trailing whitespace")
  rule.call(line.length <= 119, "line #{n}: longer than 118 characters")
end
rule.call(text.end_with?("\n") && !text.end_with?("\n\n"), "the file does not end with exactly one newline")

if problems.empty?
  puts "formula audit: ok (#{path})"
else
  problems.each { |p| warn "#{path}: #{p}" }
  exit 1
end
