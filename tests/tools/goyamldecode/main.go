// Command goyamldecode reads a YAML stream on stdin and prints each document as one line of
// JSON on stdout, decoded as a Go program of the Flux toolchain decodes it.
//
//	goyamldecode            kubectl apply -f and kustomize-controller (fluxcd/pkg/ssa ReadObjects):
//	                        k8s.io/apimachinery's YAMLOrJSONDecoder, which splits the stream at
//	                        "---" lines and converts each document with sigs.k8s.io/yaml
//	                        (go-yaml v2, YAML 1.1 scalars); empty documents are skipped.
//	goyamldecode -kyaml     kustomize reading a resource file: kyaml's kio.FromBytes (go-yaml v3,
//	                        YAML 1.2 core scalars) and each node's MarshalJSON.
//
// A document that does not decode ends the run: its error on stderr, exit status 1.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/kyaml/kio"
)

func main() {
	kyaml := flag.Bool("kyaml", false, "decode as kustomize's kyaml does")
	flag.Parse()
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	if *kyaml {
		err = decodeKyaml(in, out)
	} else {
		err = decodeKubectl(in, out)
	}
	if err != nil {
		out.Flush()
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "goyamldecode:", err)
	os.Exit(1)
}

func emit(out *bufio.Writer, doc []byte) error {
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		return err
	}
	compact.WriteByte('\n')
	_, err := out.Write(compact.Bytes())
	return err
}

// decodeKubectl decodes as kubectl's resource builder does (RawExtension: no target type, so
// sigs.k8s.io/yaml coerces nothing), skipping documents that are empty ("null").
func decodeKubectl(in []byte, out *bufio.Writer) error {
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(in), 4096)
	for {
		var raw json.RawMessage
		if err := decoder.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		if err := emit(out, raw); err != nil {
			return err
		}
	}
}

// decodeKyaml decodes as kustomize reads resources: kio.FromBytes, then RNode.MarshalJSON.
func decodeKyaml(in []byte, out *bufio.Writer) error {
	nodes, err := kio.FromBytes(in)
	if err != nil {
		return err
	}
	for _, node := range nodes {
		doc, err := node.MarshalJSON()
		if err != nil {
			return err
		}
		if err := emit(out, doc); err != nil {
			return err
		}
	}
	return nil
}
