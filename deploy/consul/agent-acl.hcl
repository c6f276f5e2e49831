# ACLs of the Consul agents the mesh registers in (README, "Consul ACLs"): on, denying by default, so
# that without a token nothing may be registered and nothing is listed; each service registers with
# a token of its own that may write its own name only, and the consul:/// resolver reads with a
# read-only one (`npm run consul:provision` makes them). Tokens the agent is given through its API
# (`consul acl set-agent-token`) are kept in its data directory across restarts.
#
# The tokens are not here: deploy/docker-compose.yml gives the agent its initial management token
# (also its own agent token, for its node's catalog entry) from the required secret
# CONSUL_MANAGEMENT_TOKEN; on Kubernetes, HashiCorp's Helm chart with global.acls.manageSystemACLs
# runs its servers with these same settings and its bootstrap token from a Secret
# (deploy/k8s/config.yaml). Checked by `consul validate` in test/integration/cluster-deploy-files.test.ts.
acl {
  enabled                  = true
  default_policy           = "deny"
  enable_token_persistence = true
}
