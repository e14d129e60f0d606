// Package deploy holds the deployment files of Hikiai (Dockerfile, compose,
// redis.conf, Kubernetes manifests); it has no code, only deploy_test.go,
// which parses those files and checks what the service relies on.
package deploy
