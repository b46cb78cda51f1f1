import { Accordion, AccordionItem, CodeSnippet } from '@carbon/react';

/** The least a token needs: list, get and update Secrets in every namespace, nothing more. */
export const RBAC_YAML = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: keyhaven
  namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: keyhaven-secrets
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["list", "get", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: keyhaven-secrets
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: keyhaven-secrets
subjects:
  - kind: ServiceAccount
    name: keyhaven
    namespace: kube-system`;

export const TOKEN_COMMANDS = `kubectl apply -f keyhaven-rbac.yaml
kubectl -n kube-system create token keyhaven --duration=8760h
kubectl config view --raw --minify \\
  -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d`;

/**
 * How to make the token Connect cluster asks for (issue 30: the dialog asked for it and said
 * nothing of how): a service account with only the Secrets access Keyhaven uses, and the
 * kubectl commands that apply it, make its token and print the API server's CA.
 */
export function TokenSteps() {
  return (
    <Accordion size="sm">
      <AccordionItem title="How to make this token with kubectl">
        <p>
          Save this as <code>keyhaven-rbac.yaml</code>: a service account that may list, get and
          update Secrets, and nothing else.
        </p>
        <CodeSnippet
          type="multi"
          feedback="Copied"
          aria-label="keyhaven-rbac.yaml"
          wrapText
          maxCollapsedNumberOfRows={40}
        >
          {RBAC_YAML}
        </CodeSnippet>
        <p>
          Apply it, make a token (the API server may cap its lifetime; connect again with a new one
          before it ends), and print the CA certificate for the field above:
        </p>
        <CodeSnippet type="multi" feedback="Copied" aria-label="kubectl commands" wrapText>
          {TOKEN_COMMANDS}
        </CodeSnippet>
      </AccordionItem>
    </Accordion>
  );
}
