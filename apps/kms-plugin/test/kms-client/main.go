// kms-client checks a KMS v2 plug-in the way kube-apiserver sees it, with code that is not
// Keyhaven's: the gRPC client generated from k8s.io/kms, the API server's own KMS v2 client
// (k8s.io/apiserver kmsv2.NewGRPCService) and the API server's own validation of what a plug-in
// returns (kmsv2.ValidateEncryptedObject). It prints one JSON report for the test to read.
//
// Usage: kms-client -endpoint unix:///path/to/socket
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"k8s.io/apiserver/pkg/storage/value/encrypt/envelope/kmsv2"
	kmstypes "k8s.io/apiserver/pkg/storage/value/encrypt/envelope/kmsv2/v2"
	kmsapi "k8s.io/kms/apis/v2"
	kmsservice "k8s.io/kms/pkg/service"
)

type report struct {
	Status struct {
		Version string `json:"version"`
		Healthz string `json:"healthz"`
		KeyID   string `json:"keyId"`
	} `json:"status"`
	Encrypt struct {
		CiphertextBytes int      `json:"ciphertextBytes"`
		KeyID           string   `json:"keyId"`
		AnnotationKeys  []string `json:"annotationKeys"`
		AnnotationBytes int      `json:"annotationBytes"`
	} `json:"encrypt"`
	KeyIDsEqual bool `json:"keyIdsEqual"`
	// What kube-apiserver's own validation says of the encrypted object ("" when valid).
	Validation string `json:"validation"`
	RoundTrip  bool   `json:"roundTrip"`
	// The API server's KMS v2 client: its Status and an Encrypt/Decrypt round trip.
	APIServerClient struct {
		Healthz   string `json:"healthz"`
		RoundTrip bool   `json:"roundTrip"`
		Error     string `json:"error,omitempty"`
	} `json:"apiServerClient"`
	// The gRPC status code name of each call that must fail ("OK" if it did not).
	Refusals map[string]string `json:"refusals"`
}

func code(err error) string {
	if err == nil {
		return "OK"
	}
	return status.Code(err).String()
}

func main() {
	endpoint := flag.String("endpoint", "", "unix:///path/to/the/plug-in's/socket")
	flag.Parse()
	if err := run(*endpoint); err != nil {
		fmt.Fprintln(os.Stderr, "kms-client:", err)
		os.Exit(1)
	}
}

func run(endpoint string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := grpc.NewClient("unix://"+endpoint[len("unix://"):], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := kmsapi.NewKeyManagementServiceClient(conn)
	var r report

	st, err := client.Status(ctx, &kmsapi.StatusRequest{})
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	r.Status.Version, r.Status.Healthz, r.Status.KeyID = st.Version, st.Healthz, st.KeyId

	seed := make([]byte, 32)
	if _, err := rand.Read(seed); err != nil {
		return err
	}
	enc, err := client.Encrypt(ctx, &kmsapi.EncryptRequest{Plaintext: seed, Uid: "kms-client-1"})
	if err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	r.Encrypt.CiphertextBytes = len(enc.Ciphertext)
	r.Encrypt.KeyID = enc.KeyId
	r.Encrypt.AnnotationKeys = []string{}
	for k, v := range enc.Annotations {
		r.Encrypt.AnnotationKeys = append(r.Encrypt.AnnotationKeys, k)
		r.Encrypt.AnnotationBytes += len(k) + len(v)
	}
	r.KeyIDsEqual = st.KeyId == enc.KeyId
	if err := kmsv2.ValidateEncryptedObject(&kmstypes.EncryptedObject{
		EncryptedData:          []byte{0},
		KeyID:                  enc.KeyId,
		EncryptedDEKSource:     enc.Ciphertext,
		Annotations:            enc.Annotations,
		EncryptedDEKSourceType: kmstypes.EncryptedDEKSourceType_HKDF_SHA256_XNONCE_AES_GCM_SEED,
	}); err != nil {
		r.Validation = err.Error()
	}
	dec, err := client.Decrypt(ctx, &kmsapi.DecryptRequest{Ciphertext: enc.Ciphertext, KeyId: enc.KeyId, Annotations: enc.Annotations, Uid: "kms-client-2"})
	r.RoundTrip = err == nil && bytes.Equal(dec.Plaintext, seed)

	api, err := kmsv2.NewGRPCService(ctx, endpoint, "keyhaven", 10*time.Second)
	if err == nil {
		if apiStatus, err := api.Status(ctx); err != nil {
			r.APIServerClient.Error = err.Error()
		} else {
			r.APIServerClient.Healthz = apiStatus.Healthz
		}
		if out, err := api.Encrypt(ctx, "kms-client-3", seed); err != nil {
			r.APIServerClient.Error = err.Error()
		} else if back, err := api.Decrypt(ctx, "kms-client-4", &kmsservice.DecryptRequest{Ciphertext: out.Ciphertext, KeyID: out.KeyID, Annotations: out.Annotations}); err != nil {
			r.APIServerClient.Error = err.Error()
		} else {
			r.APIServerClient.RoundTrip = bytes.Equal(back, seed)
		}
	} else {
		r.APIServerClient.Error = err.Error()
	}

	tampered := bytes.Clone(enc.Ciphertext)
	tampered[len(tampered)/2] ^= 0x01
	otherVersion := map[string][]byte{}
	for k := range enc.Annotations {
		otherVersion[k] = []byte("another-version")
	}
	refusal := func(req *kmsapi.DecryptRequest) string {
		req.Uid = "kms-client-refusal"
		_, err := client.Decrypt(ctx, req)
		return code(err)
	}
	r.Refusals = map[string]string{
		"tamperedCiphertext":  refusal(&kmsapi.DecryptRequest{Ciphertext: tampered, KeyId: enc.KeyId, Annotations: enc.Annotations}),
		"foreignKeyId":        refusal(&kmsapi.DecryptRequest{Ciphertext: enc.Ciphertext, KeyId: "projects/other/cryptoKeys/k1", Annotations: enc.Annotations}),
		"wrongAnnotations":    refusal(&kmsapi.DecryptRequest{Ciphertext: enc.Ciphertext, KeyId: enc.KeyId, Annotations: otherVersion}),
		"missingAnnotations":  refusal(&kmsapi.DecryptRequest{Ciphertext: enc.Ciphertext, KeyId: enc.KeyId}),
		"oversizedCiphertext": refusal(&kmsapi.DecryptRequest{Ciphertext: make([]byte, 2048), KeyId: enc.KeyId, Annotations: enc.Annotations}),
	}
	_, err = client.Encrypt(ctx, &kmsapi.EncryptRequest{Plaintext: make([]byte, 16), Uid: "kms-client-short"})
	r.Refusals["shortPlaintext"] = code(err)

	return json.NewEncoder(os.Stdout).Encode(r)
}
