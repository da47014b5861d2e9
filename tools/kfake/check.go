package main

import (
	"context"
	"errors"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// checkBroker sends one Metadata request for no topics to addr and succeeds
// if the answer lists at least one broker.
func checkBroker(ctx context.Context, addr string) error {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.RequestRetries(0),
		kgo.RetryTimeout(0),
	)
	if err != nil {
		return err
	}
	defer cl.Close()

	req := kmsg.NewPtrMetadataRequest()
	req.Topics = []kmsg.MetadataRequestTopic{} // empty, not nil: no topics
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	if len(resp.Brokers) == 0 {
		return errors.New("metadata response lists no brokers")
	}
	return nil
}
