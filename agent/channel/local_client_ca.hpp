#pragma once
// The client half of a docker-tls rotation, made in the VM: a one-use CA whose key never
// touches the disk signs this VM's `phoenix` context cert, then is dropped. dockerd trusts that
// CA (plus the hypervisor operators' CA the hub sends) and nothing else for clients, so:
//  - a client cert taken from this VM opens this VM's dockerd only: no other dockerd trusts
//    its CA, and the hub never signs docker client certs for VMs;
//  - nobody, root here included, can mint another client cert for this dockerd without a
//    new rotation (the CA key is gone); root here owns this dockerd anyway.
#include "shared/core/error.hpp"
#include "shared/pki/asn1_time.hpp"

#include <string>

namespace phoenix::agent {

struct LocalClientMaterial {
  std::string client_ca_pem;  // this VM's one-use client CA, then the operators' CA bundle
  std::string client_cert_pem;
};

// Signs `client_csr_pem` (CN must be `vm`, no SANs) with a fresh CA valid until `not_after`
// (the server cert's end: the set is replaced as a whole) and returns dockerd's client CA
// bundle. `operator_ca_pem` may be empty (a hub that has no operators' CA: only this VM's
// contexts reach its dockerd). Errors: the PKI's, "invalid_answer" (operators' CA not PEM).
Result<LocalClientMaterial> make_local_client(const std::string& vm, const std::string& client_csr_pem,
                                              const std::string& operator_ca_pem, pki::TimePoint not_after,
                                              pki::TimePoint now);

}  // namespace phoenix::agent
