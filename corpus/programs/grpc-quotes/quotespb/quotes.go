// Package quotespb is what protoc-gen-go-grpc generates for quotes.proto
// (hand-written here: Debian ships no generator for this grpc version):
//
//	service QuoteService {
//	  rpc Watch(google.protobuf.StringValue) returns (stream google.protobuf.DoubleValue);
//	}
package quotespb

import (
	"context"

	wrappers "github.com/golang/protobuf/ptypes/wrappers"
	"google.golang.org/grpc"
)

type QuoteServiceClient interface {
	Watch(ctx context.Context, in *wrappers.StringValue, opts ...grpc.CallOption) (QuoteService_WatchClient, error)
}

type quoteServiceClient struct{ cc grpc.ClientConnInterface }

func NewQuoteServiceClient(cc grpc.ClientConnInterface) QuoteServiceClient {
	return &quoteServiceClient{cc}
}

func (c *quoteServiceClient) Watch(ctx context.Context, in *wrappers.StringValue, opts ...grpc.CallOption) (QuoteService_WatchClient, error) {
	stream, err := c.cc.NewStream(ctx, &QuoteService_ServiceDesc.Streams[0], "/quotes.v1.QuoteService/Watch", opts...)
	if err != nil {
		return nil, err
	}
	x := &quoteServiceWatchClient{stream}
	if err := x.ClientStream.SendMsg(in); err != nil {
		return nil, err
	}
	if err := x.ClientStream.CloseSend(); err != nil {
		return nil, err
	}
	return x, nil
}

type QuoteService_WatchClient interface {
	Recv() (*wrappers.DoubleValue, error)
	grpc.ClientStream
}

type quoteServiceWatchClient struct{ grpc.ClientStream }

func (x *quoteServiceWatchClient) Recv() (*wrappers.DoubleValue, error) {
	m := new(wrappers.DoubleValue)
	if err := x.ClientStream.RecvMsg(m); err != nil {
		return nil, err
	}
	return m, nil
}

type QuoteServiceServer interface {
	Watch(*wrappers.StringValue, QuoteService_WatchServer) error
}

type QuoteService_WatchServer interface {
	Send(*wrappers.DoubleValue) error
	grpc.ServerStream
}

type quoteServiceWatchServer struct{ grpc.ServerStream }

func (x *quoteServiceWatchServer) Send(m *wrappers.DoubleValue) error {
	return x.ServerStream.SendMsg(m)
}

func _QuoteService_Watch_Handler(srv interface{}, stream grpc.ServerStream) error {
	m := new(wrappers.StringValue)
	if err := stream.RecvMsg(m); err != nil {
		return err
	}
	return srv.(QuoteServiceServer).Watch(m, &quoteServiceWatchServer{stream})
}

// QuoteService_ServiceDesc is registered with RegisterQuoteServiceServer.
var QuoteService_ServiceDesc = grpc.ServiceDesc{
	ServiceName: "quotes.v1.QuoteService",
	HandlerType: (*QuoteServiceServer)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName:    "Watch",
		Handler:       _QuoteService_Watch_Handler,
		ServerStreams: true,
	}},
	Metadata: "quotes/v1/quotes.proto",
}

func RegisterQuoteServiceServer(s *grpc.Server, srv QuoteServiceServer) {
	s.RegisterService(&QuoteService_ServiceDesc, srv)
}
