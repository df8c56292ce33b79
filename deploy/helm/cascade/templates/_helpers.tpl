{{/* Names and labels. */}}
{{- define "cascade.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cascade.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cascade.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cascade.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cascade.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "cascade.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cascade
{{- end }}

{{- define "cascade.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "cascade.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cascade.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The hook Jobs run before the release's ServiceAccount exists: their own, created as a hook. */}}
{{- define "cascade.hookServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- printf "%s-hooks" (include "cascade.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- include "cascade.serviceAccountName" . }}
{{- end }}
{{- end }}

{{/* Routes with a queue URL, sorted (a list of names). */}}
{{- define "cascade.servedRoutes" -}}
{{- $served := list }}
{{- range $route, $settings := .Values.routes }}
{{- if and $settings $settings.queueUrl }}
{{- $served = append $served $route }}
{{- end }}
{{- end }}
{{- toJson (sortAlpha $served) }}
{{- end }}

{{/* CASCADE_QUEUE_URL_<ROUTE> of a route name. */}}
{{- define "cascade.queueUrlVariable" -}}
{{- printf "CASCADE_QUEUE_URL_%s" (. | upper | replace "-" "_") }}
{{- end }}

{{/*
The bridge Deployments: one serving every route with a queue URL, or one per
route (bridge.perRoute). A JSON list of {"name": suffix, "routes": [...]}.
*/}}
{{- define "cascade.bridgeDeployments" -}}
{{- $served := include "cascade.servedRoutes" . | fromJsonArray }}
{{- $deployments := list }}
{{- if .Values.bridge.perRoute }}
{{- range $served }}
{{- $deployments = append $deployments (dict "name" (printf "bridge-%s" .) "routes" (list .)) }}
{{- end }}
{{- else }}
{{- $deployments = append $deployments (dict "name" "bridge" "routes" $served) }}
{{- end }}
{{- toJson $deployments }}
{{- end }}

{{/* Whether ScaledObjects replace the HPA: autoscaling.keda.enabled true, or auto and KEDA's API is served. */}}
{{- define "cascade.kedaEnabled" -}}
{{- $setting := toString .Values.autoscaling.keda.enabled }}
{{- if eq $setting "auto" }}
{{- if .Capabilities.APIVersions.Has "keda.sh/v1alpha1/ScaledObject" }}true{{- end }}
{{- else if eq $setting "true" }}true
{{- else if ne $setting "false" }}
{{- fail (printf "autoscaling.keda.enabled must be auto, true or false, not %s" $setting) }}
{{- end }}
{{- end }}

{{/* terminationGracePeriodSeconds: CASCADE_SHUTDOWN_GRACE_MS rounded up, plus the margin. */}}
{{- define "cascade.terminationGracePeriodSeconds" -}}
{{- $graceMs := int .Values.shutdownGraceMs }}
{{- if lt $graceMs 0 }}{{ fail "shutdownGraceMs must be at least 0" }}{{ end }}
{{- $margin := int .Values.terminationGraceMarginSeconds }}
{{- if lt $margin 1 }}{{ fail "terminationGraceMarginSeconds must be at least 1: the pod must outlive CASCADE_SHUTDOWN_GRACE_MS" }}{{ end }}
{{- add (div (add $graceMs 999) 1000) $margin }}
{{- end }}

{{/* Variables the chart sets itself; config may not set them. */}}
{{- define "cascade.reservedVariables" -}}
{{- $reserved := list "TEMPORAL_ADDRESS" "TEMPORAL_NAMESPACE" "TEMPORAL_TASK_QUEUE" "TEMPORAL_UI_URL" "TEMPORAL_TLS" "TEMPORAL_TLS_SERVER_NAME" "TEMPORAL_TLS_CLIENT_CERT_PATH" "TEMPORAL_TLS_CLIENT_KEY_PATH" "TEMPORAL_TLS_SERVER_CA_CERT_PATH" "TEMPORAL_API_KEY" "AWS_REGION" "CASCADE_ROUTES" "CASCADE_HTTP_HOST" "CASCADE_HTTP_PORT" "CASCADE_SHUTDOWN_GRACE_MS" "NODE_OPTIONS" }}
{{- range $route, $_ := .Values.routes }}
{{- $reserved = append $reserved (include "cascade.queueUrlVariable" $route) }}
{{- end }}
{{- toJson $reserved }}
{{- end }}

{{- define "cascade.temporalTlsDir" -}}/etc/cascade/temporal-tls{{- end }}

{{/*
The environment of a Cascade container.
Parameters: root (the top context), routes (the route names whose queue URLs
are set), selectRoutes (set CASCADE_ROUTES to routes), nodeOptions.
*/}}
{{- define "cascade.env" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $reserved := include "cascade.reservedVariables" $root | fromJsonArray -}}
- name: TEMPORAL_ADDRESS
  value: {{ required "temporal.address is required (host:port)" $v.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ required "temporal.namespace is required" $v.temporal.namespace | quote }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ required "temporal.taskQueue is required" $v.temporal.taskQueue | quote }}
{{- with $v.temporal.uiUrl }}
- name: TEMPORAL_UI_URL
  value: {{ . | quote }}
{{- end }}
{{- if $v.temporal.tls.enabled }}
- name: TEMPORAL_TLS
  value: "true"
{{- end }}
{{- with $v.temporal.tls.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ . | quote }}
{{- end }}
{{- if $v.temporal.tls.existingSecret }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: {{ printf "%s/%s" (include "cascade.temporalTlsDir" $root) $v.temporal.tls.certKey | quote }}
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: {{ printf "%s/%s" (include "cascade.temporalTlsDir" $root) $v.temporal.tls.keyKey | quote }}
{{- with $v.temporal.tls.caKey }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: {{ printf "%s/%s" (include "cascade.temporalTlsDir" $root) . | quote }}
{{- end }}
{{- end }}
{{- if $v.temporal.apiKey.existingSecret }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.temporal.apiKey.existingSecret | quote }}
      key: {{ required "temporal.apiKey.key is required with temporal.apiKey.existingSecret" $v.temporal.apiKey.key | quote }}
{{- end }}
- name: AWS_REGION
  value: {{ required "aws.region is required" $v.aws.region | quote }}
{{- range .routes }}
- name: {{ include "cascade.queueUrlVariable" . }}
  value: {{ (get $v.routes .).queueUrl | quote }}
{{- end }}
{{- if .selectRoutes }}
- name: CASCADE_ROUTES
  value: {{ join "," .routes | quote }}
{{- end }}
- name: CASCADE_HTTP_HOST
  value: "0.0.0.0"
- name: CASCADE_HTTP_PORT
  value: {{ $v.http.port | quote }}
- name: CASCADE_SHUTDOWN_GRACE_MS
  value: {{ int $v.shutdownGraceMs | quote }}
{{- with .nodeOptions }}
- name: NODE_OPTIONS
  value: {{ . | quote }}
{{- end }}
{{- range $name := keys $v.config | sortAlpha }}
{{- if or (has $name $reserved) (hasKey $v.secrets.env $name) }}
{{- fail (printf "config.%s: the chart sets %s itself (see values.yaml)" $name $name) }}
{{- end }}
{{- $value := get $v.config $name }}
{{- if kindIs "float64" $value }}
{{- if eq $value (float64 (int64 $value)) }}{{ $value = int64 $value }}{{ end }}
{{- end }}
{{- if not (kindIs "invalid" $value) }}
- name: {{ $name }}
  value: {{ toString $value | quote }}
{{- end }}
{{- end }}
{{- range $name := keys $v.secrets.env | sortAlpha }}
{{- $ref := get $v.secrets.env $name }}
{{- if $ref }}
{{- if has $name $reserved }}
{{- fail (printf "secrets.env.%s: the chart sets %s itself (see values.yaml)" $name $name) }}
{{- end }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "secrets.env.%s.name or secrets.existingSecret is required" $name) (default $v.secrets.existingSecret $ref.name) | quote }}
      key: {{ required (printf "secrets.env.%s.key is required" $name) $ref.key | quote }}
      {{- if $ref.optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by the Deployments and Jobs. */}}
{{- define "cascade.podCommon" -}}
{{- $v := .Values -}}
automountServiceAccountToken: false
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $v.podSecurityContext | nindent 2 }}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "cascade.volumes" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.existingSecret | quote }}
    defaultMode: 0440
{{- end }}
{{- end }}

{{- define "cascade.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: {{ include "cascade.temporalTlsDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* Topology spread of a Deployment's pods, selected by its labels (parameters: root, component). */}}
{{- define "cascade.topologySpread" -}}
{{- if .root.Values.topologySpread.enabled -}}
topologySpreadConstraints:
  {{- range $key, $skew := dict "topology.kubernetes.io/zone" .root.Values.topologySpread.zoneMaxSkew "kubernetes.io/hostname" .root.Values.topologySpread.nodeMaxSkew }}
  - maxSkew: {{ $skew }}
    topologyKey: {{ $key }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "cascade.selectorLabels" $.root | nindent 8 }}
        app.kubernetes.io/component: {{ $.component }}
    matchLabelKeys:
      - pod-template-hash
  {{- end }}
{{- end }}
{{- end }}

{{/* Liveness, readiness and startup probes on the HTTP port. */}}
{{- define "cascade.probes" -}}
{{- $p := .Values.probes -}}
startupProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: {{ $p.startup.periodSeconds }}
  timeoutSeconds: {{ $p.startup.timeoutSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: {{ $p.liveness.periodSeconds }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  periodSeconds: {{ $p.readiness.periodSeconds }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
{{- end }}
