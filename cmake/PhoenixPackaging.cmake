# Debian packages for the two programs (CPack DEB, one package per component):
#   phoenix-agent: /usr/bin/phoenix-agent, its systemd unit, /var/lib/phoenix-agent (0700),
#                  /etc/phoenix/agent.json (the defaults written out, copied from
#                  /usr/share/phoenix-agent by postinst when there is none: not a conffile, so
#                  an agent.json an operator wrote before the package shipped one never makes
#                  an unattended upgrade stop at dpkg's conffile prompt)
#   phoenix-hub:   /usr/bin/phoenix-hub, its systemd unit, an example hub.json under
#                  /usr/share/doc/phoenix-hub/examples, /var/lib/phoenix-hub (0700). The hub's
#                  /etc/phoenix/hub.json is written by `phoenix-hub init`, which puts this
#                  machine's name in it and in the hub's certificate (a packaged file cannot).
# `cpack --config build/CPackConfig.cmake -B build/packages` builds them; .ci/run installs and
# removes them (tests/packaging).
install(TARGETS phoenix-agent RUNTIME DESTINATION bin COMPONENT agent)
install(TARGETS phoenix-hub RUNTIME DESTINATION bin COMPONENT hub)
install(FILES systemd/phoenix-agent.service DESTINATION lib/systemd/system COMPONENT agent)
install(FILES systemd/phoenix-hub.service DESTINATION lib/systemd/system COMPONENT hub)
install(FILES README.md docs/agent-protocol.md DESTINATION share/doc/phoenix-agent COMPONENT agent)
install(FILES README.md docs/hub-api.md docs/operator-guide.md DESTINATION share/doc/phoenix-hub COMPONENT hub)
install(FILES packaging/config/agent.json DESTINATION share/phoenix-agent COMPONENT agent)
install(FILES packaging/config/hub.json DESTINATION share/doc/phoenix-hub/examples COMPONENT hub)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_VENDOR "Phoenix")
set(CPACK_PACKAGE_CONTACT "Phoenix maintainers <phoenix@localhost>")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL agent hub)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dpkg-shlibdeps fills Depends: from the binaries
set(CPACK_STRIP_FILES ON)  # the build keeps debug info; the packages do not
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME phoenix-agent)
set(CPACK_DEBIAN_HUB_PACKAGE_NAME phoenix-hub)
set(CPACK_DEBIAN_AGENT_DESCRIPTION "Phoenix agent: dockerd mutual TLS, docker contexts, DOCKER_HOST drift and swarm membership of this VM")
set(CPACK_DEBIAN_HUB_DESCRIPTION "Phoenix hub: VM API over tart, agent endpoint, CAs, fleet-wide certificate rotation and swarm")
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "docker.io | docker-ce")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/packaging/debian/agent/postinst;${CMAKE_SOURCE_DIR}/packaging/debian/agent/prerm;${CMAKE_SOURCE_DIR}/packaging/debian/agent/postrm")
set(CPACK_DEBIAN_HUB_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/packaging/debian/hub/postinst;${CMAKE_SOURCE_DIR}/packaging/debian/hub/prerm;${CMAKE_SOURCE_DIR}/packaging/debian/hub/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
