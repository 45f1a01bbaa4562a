// Package inventorypb is what protoc-gen-go-grpc generates for
// inventory.proto (hand-written here: Debian ships no generator for this
// grpc version):
//
//	service Inventory {
//	  rpc GetStock(google.protobuf.StringValue) returns (google.protobuf.Int64Value);
//	}
package inventorypb

import (
	"context"

	wrappers "github.com/golang/protobuf/ptypes/wrappers"
	"google.golang.org/grpc"
)

type InventoryClient interface {
	GetStock(ctx context.Context, in *wrappers.StringValue, opts ...grpc.CallOption) (*wrappers.Int64Value, error)
}

type inventoryClient struct{ cc grpc.ClientConnInterface }

func NewInventoryClient(cc grpc.ClientConnInterface) InventoryClient { return &inventoryClient{cc} }

func (c *inventoryClient) GetStock(ctx context.Context, in *wrappers.StringValue, opts ...grpc.CallOption) (*wrappers.Int64Value, error) {
	out := new(wrappers.Int64Value)
	if err := c.cc.Invoke(ctx, "/inventory.v1.Inventory/GetStock", in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

type InventoryServer interface {
	GetStock(context.Context, *wrappers.StringValue) (*wrappers.Int64Value, error)
}

func _Inventory_GetStock_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(wrappers.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(InventoryServer).GetStock(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/inventory.v1.Inventory/GetStock"}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(InventoryServer).GetStock(ctx, req.(*wrappers.StringValue))
	}
	return interceptor(ctx, in, info, handler)
}

// Inventory_ServiceDesc is registered with RegisterInventoryServer.
var Inventory_ServiceDesc = grpc.ServiceDesc{
	ServiceName: "inventory.v1.Inventory",
	HandlerType: (*InventoryServer)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "GetStock",
		Handler:    _Inventory_GetStock_Handler,
	}},
	Metadata: "inventory/v1/inventory.proto",
}

func RegisterInventoryServer(s *grpc.Server, srv InventoryServer) {
	s.RegisterService(&Inventory_ServiceDesc, srv)
}
