#include "api/auth_service.h"

#include "api/serve.h"
#include "common/status_macros.h"

namespace codex_manager {

grpc::ServerUnaryReactor* AuthServiceImpl::CreateToken(
    grpc::CallbackServerContext* context, const v1::CreateTokenRequest* request,
    v1::CreateTokenResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::AuthService>("CreateToken");
  return Serve(
      guard_, context, kMethod, *request, "",
      [=, this](const Caller& caller) -> absl::Status {
        const auto& ttl = request->ttl();
        if (ttl.seconds() < 0 || ttl.nanos() < 0 ||
            ttl.seconds() > 100LL * 365 * 86400) {
          return absl::InvalidArgumentError(
              "ttl: must be between 0 (never expires) and 100 years");
        }
        ASSIGN_OR_RETURN(
            TokenRegistry::Created created,
            tokens_->Create(request->name(),
                            static_cast<Role>(request->role()),
                            absl::Seconds(ttl.seconds()) +
                                absl::Nanoseconds(ttl.nanos()),
                            caller));
        ToProto(created.token, response->mutable_token());
        response->set_secret(created.secret);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuthServiceImpl::ListTokens(
    grpc::CallbackServerContext* context, const v1::ListTokensRequest* request,
    v1::ListTokensResponse* response) {
  static const std::string kMethod = FullMethod<v1::AuthService>("ListTokens");
  return Serve(
      guard_, context, kMethod, *request, "", [=, this](const Caller&) {
        ASSIGN_OR_RETURN(
            PageRequest page,
            ToPageRequest(request->page_size(), request->page_token()));
        ASSIGN_OR_RETURN(Page<TokenRecord> result,
                         tokens_->List(request->include_revoked(), page));
        for (const TokenRecord& t : result.items) {
          ToProto(t, response->add_tokens());
        }
        response->set_next_page_token(EncodePageToken(result.next));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuthServiceImpl::RevokeToken(
    grpc::CallbackServerContext* context, const v1::RevokeTokenRequest* request,
    v1::Token* response) {
  static const std::string kMethod = FullMethod<v1::AuthService>("RevokeToken");
  return Serve(guard_, context, kMethod, *request, request->token_id(),
               [=, this](const Caller& caller) {
                 return Fill(tokens_->Revoke(request->token_id(), caller),
                             response);
               });
}

grpc::ServerUnaryReactor* AuthServiceImpl::WhoAmI(
    grpc::CallbackServerContext* context, const v1::WhoAmIRequest* request,
    v1::WhoAmIResponse* response) {
  static const std::string kMethod = FullMethod<v1::AuthService>("WhoAmI");
  return Serve(guard_, context, kMethod, *request, "",
               [=, this](const Caller& caller) -> absl::Status {
                 ASSIGN_OR_RETURN(TokenRecord token, tokens_->Get(caller.token_id));
                 response->set_token_id(token.token_id);
                 response->set_name(token.name);
                 response->set_role(static_cast<v1::Role>(token.role));
                 if (token.expire_time) {
                   v1::Token t;
                   ToProto(token, &t);
                   *response->mutable_expire_time() = t.expire_time();
                 }
                 response->set_peer(caller.peer);
                 return absl::OkStatus();
               });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAuditEvents(
    grpc::CallbackServerContext* context,
    const v1::ListAuditEventsRequest* request,
    v1::ListAuditEventsResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::AuditService>("ListAuditEvents");
  return Serve(
      guard_, context, kMethod, *request, "", [=, this](const Caller&) {
        ASSIGN_OR_RETURN(
            PageRequest page,
            ToPageRequest(request->page_size(), request->page_token()));
        AuditQuery query;
        query.token_id = request->token_id();
        query.method = request->method();
        if (request->has_start_time()) {
          ASSIGN_OR_RETURN(query.start_time,
                           FromProto(request->start_time(), "start_time"));
        }
        if (request->has_end_time()) {
          ASSIGN_OR_RETURN(query.end_time,
                           FromProto(request->end_time(), "end_time"));
        }
        ASSIGN_OR_RETURN(Page<AuditRecord> result,
                         store_->ListAudit(query, page));
        for (const AuditRecord& r : result.items) {
          ToProto(r, response->add_audit_events());
        }
        response->set_next_page_token(EncodePageToken(result.next));
        return absl::OkStatus();
      });
}

}  // namespace codex_manager
