// google.cloud.tasks.v2.CloudTasks → TaskQueues, one function per RPC. gRPC and REST (through
// the transcoder) both arrive here via the method table.
#include <google/cloud/tasks/v2/cloudtasks.pb.h>
#include <google/iam/v1/iam_policy.pb.h>
#include <google/protobuf/empty.pb.h>

#include "net/rpc.h"
#include "services/tasks/convert.h"
#include "services/tasks/errors.h"
#include "services/tasks/service.h"

namespace gcpsim::services::tasks {
namespace {

namespace iam = ::google::iam::v1;
using google::protobuf::Empty;

// The handlers' state: the domain, and queue IAM policies (kept as given, not enforced).
struct Ctx {
  TaskQueues& q;
  std::map<std::string, iam::Policy> policies;
};

Status list_queues(Ctx& c, const v2::ListQueuesRequest& req, v2::ListQueuesResponse* resp) {
  ASSIGN_OR_RETURN(auto parent, LocationName::parse(req.parent()));
  ASSIGN_OR_RETURN(auto page, c.q.list_queues(parent, req.filter(), req.page_size(), req.page_token()));
  for (const auto& q : page.items) to_proto(q, resp->add_queues());
  resp->set_next_page_token(page.next_page_token);
  return Status::ok();
}

Status get_queue(Ctx& c, const v2::GetQueueRequest& req, v2::Queue* resp) {
  ASSIGN_OR_RETURN(auto name, QueueName::parse(req.name()));
  ASSIGN_OR_RETURN(auto q, c.q.get_queue(name));
  to_proto(q, resp);
  return Status::ok();
}

Status create_queue(Ctx& c, const v2::CreateQueueRequest& req, v2::Queue* resp) {
  ASSIGN_OR_RETURN(auto parent, LocationName::parse(req.parent()));
  ASSIGN_OR_RETURN(auto q, c.q.create_queue(parent, from_proto(req.queue())));
  to_proto(q, resp);
  return Status::ok();
}

Status update_queue(Ctx& c, const v2::UpdateQueueRequest& req, v2::Queue* resp) {
  ASSIGN_OR_RETURN(auto name, QueueName::parse(req.queue().name()));
  std::vector<std::string> mask(req.update_mask().paths().begin(), req.update_mask().paths().end());
  ASSIGN_OR_RETURN(auto q, c.q.update_queue(name, from_proto(req.queue()), mask));
  to_proto(q, resp);
  return Status::ok();
}

Status delete_queue(Ctx& c, const v2::DeleteQueueRequest& req, Empty*) {
  ASSIGN_OR_RETURN(auto name, QueueName::parse(req.name()));
  c.policies.erase(name.str());
  return c.q.delete_queue(name);
}

template <class Req>
Status queue_op(Ctx& c, const Req& req, v2::Queue* resp, StatusOr<Queue> (TaskQueues::*op)(const QueueName&)) {
  ASSIGN_OR_RETURN(auto name, QueueName::parse(req.name()));
  ASSIGN_OR_RETURN(auto q, (c.q.*op)(name));
  to_proto(q, resp);
  return Status::ok();
}
Status purge_queue(Ctx& c, const v2::PurgeQueueRequest& req, v2::Queue* resp) {
  return queue_op(c, req, resp, &TaskQueues::purge_queue);
}
Status pause_queue(Ctx& c, const v2::PauseQueueRequest& req, v2::Queue* resp) {
  return queue_op(c, req, resp, &TaskQueues::pause_queue);
}
Status resume_queue(Ctx& c, const v2::ResumeQueueRequest& req, v2::Queue* resp) {
  return queue_op(c, req, resp, &TaskQueues::resume_queue);
}

Status get_iam_policy(Ctx& c, const iam::GetIamPolicyRequest& req, iam::Policy* resp) {
  ASSIGN_OR_RETURN(auto name, QueueName::parse(req.resource()));
  RETURN_IF_ERROR(c.q.get_queue(name).status());
  auto it = c.policies.find(name.str());
  if (it != c.policies.end()) *resp = it->second;
  else resp->set_etag("ACAB");
  return Status::ok();
}

Status set_iam_policy(Ctx& c, const iam::SetIamPolicyRequest& req, iam::Policy* resp) {
  ASSIGN_OR_RETURN(auto name, QueueName::parse(req.resource()));
  RETURN_IF_ERROR(c.q.get_queue(name).status());
  iam::Policy p = req.policy();
  p.set_etag("BwY" + std::to_string(c.policies.size() + 1));
  c.policies[name.str()] = p;
  *resp = p;
  return Status::ok();
}

Status test_iam_permissions(Ctx& c, const iam::TestIamPermissionsRequest& req, iam::TestIamPermissionsResponse* resp) {
  ASSIGN_OR_RETURN(auto name, QueueName::parse(req.resource()));
  RETURN_IF_ERROR(c.q.get_queue(name).status());
  for (const auto& p : req.permissions()) resp->add_permissions(p);
  return Status::ok();
}

Status list_tasks(Ctx& c, const v2::ListTasksRequest& req, v2::ListTasksResponse* resp) {
  ASSIGN_OR_RETURN(auto parent, QueueName::parse(req.parent()));
  ASSIGN_OR_RETURN(auto page, c.q.list_tasks(parent, req.page_size(), req.page_token()));
  for (const auto& t : page.items) to_proto(t, req.response_view(), resp->add_tasks());
  resp->set_next_page_token(page.next_page_token);
  return Status::ok();
}

Status get_task(Ctx& c, const v2::GetTaskRequest& req, v2::Task* resp) {
  ASSIGN_OR_RETURN(auto name, TaskName::parse(req.name()));
  ASSIGN_OR_RETURN(auto t, c.q.get_task(name));
  to_proto(t, req.response_view(), resp);
  return Status::ok();
}

Status create_task(Ctx& c, const v2::CreateTaskRequest& req, v2::Task* resp) {
  ASSIGN_OR_RETURN(auto parent, QueueName::parse(req.parent()));
  ASSIGN_OR_RETURN(auto spec, from_proto(req.task()));
  if (!req.task().name().empty()) {
    ASSIGN_OR_RETURN(auto name, TaskName::parse(req.task().name()));
    if (name.queue.str() != parent.str()) return errors::parent_mismatch();
    spec.id = name.task;
  }
  ASSIGN_OR_RETURN(auto t, c.q.create_task(parent, std::move(spec)));
  to_proto(t, req.response_view(), resp);
  return Status::ok();
}

Status delete_task(Ctx& c, const v2::DeleteTaskRequest& req, Empty*) {
  ASSIGN_OR_RETURN(auto name, TaskName::parse(req.name()));
  return c.q.delete_task(name);
}

Status run_task(Ctx& c, const v2::RunTaskRequest& req, v2::Task* resp) {
  ASSIGN_OR_RETURN(auto name, TaskName::parse(req.name()));
  ASSIGN_OR_RETURN(auto t, c.q.run_task(name));
  to_proto(t, req.response_view(), resp);
  return Status::ok();
}

}  // namespace

void register_methods(net::MethodTable& m, TaskQueues& queues) {
  net::GrpcService<Ctx> s(m, "google.cloud.tasks.v2.CloudTasks", "tasks", std::make_shared<Ctx>(Ctx{queues, {}}));
  s.add_unary("ListQueues", list_queues);
  s.add_unary("GetQueue", get_queue);
  s.add_unary("CreateQueue", create_queue);
  s.add_unary("UpdateQueue", update_queue);
  s.add_unary("DeleteQueue", delete_queue);
  s.add_unary("PurgeQueue", purge_queue);
  s.add_unary("PauseQueue", pause_queue);
  s.add_unary("ResumeQueue", resume_queue);
  s.add_unary("GetIamPolicy", get_iam_policy);
  s.add_unary("SetIamPolicy", set_iam_policy);
  s.add_unary("TestIamPermissions", test_iam_permissions);
  s.add_unary("ListTasks", list_tasks);
  s.add_unary("GetTask", get_task);
  s.add_unary("CreateTask", create_task);
  s.add_unary("DeleteTask", delete_task);
  s.add_unary("RunTask", run_task);
}

}  // namespace gcpsim::services::tasks
