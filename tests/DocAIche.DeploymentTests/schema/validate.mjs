// Validates rendered Kubernetes manifests offline: every object against the JSON schema of its
// apiVersion and kind, from the kubernetes-models packages (the Kubernetes OpenAPI schemas, and the
// External Secrets and Prometheus operator CRDs); CloudNativePG and RabbitMQ objects against the
// schemas in ./crds, written from those operators' API references for the fields DocAIche uses.
// Reads a multi-document YAML file; prints one JSON line per object: {kind, name, ok, error}.
// Exits 0 when every object is valid and known, 1 otherwise.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";

const modules = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "rbac.authorization.k8s.io/v1": "kubernetes-models/rbac.authorization.k8s.io/v1",
  "external-secrets.io/v1beta1": "@kubernetes-models/external-secrets/external-secrets.io/v1beta1",
  "external-secrets.io/v1": "@kubernetes-models/external-secrets/external-secrets.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

const ajv = new Ajv({ allErrors: true, strict: false });
const crdSchemas = {};
for (const file of ["cnpg.json", "rabbitmq.json"]) {
  const crds = JSON.parse(readFileSync(new URL(`./crds/${file}`, import.meta.url), "utf8"));
  for (const [key, schema] of Object.entries(crds)) {
    crdSchemas[key] = ajv.compile(schema);
  }
}

const file = process.argv[2];
const documents = parseAllDocuments(readFileSync(file, "utf8")).map(d => d.toJS()).filter(d => d);
let failed = 0;
for (const object of documents) {
  const { apiVersion, kind } = object;
  const name = object.metadata?.name ?? "";
  let error = null;
  try {
    const crd = crdSchemas[`${apiVersion}/${kind}`];
    if (crd) {
      if (!crd(object)) {
        error = ajv.errorsText(crd.errors);
      }
    } else if (modules[apiVersion]) {
      const module = await import(modules[apiVersion]);
      const Model = module[kind];
      if (!Model) {
        error = `no schema for ${apiVersion} ${kind}`;
      } else {
        new Model(object).validate();
      }
    } else {
      error = `no schema for ${apiVersion} ${kind}`;
    }
  } catch (e) {
    error = e.message;
  }
  if (error) {
    failed++;
  }
  console.log(JSON.stringify({ kind, apiVersion, name, ok: !error, error }));
}
process.exit(failed === 0 ? 0 : 1);
