# aws_imagebuilder_infrastructure_configuration, aws_imagebuilder_distribution_configuration
# (infrastructure_configuration_test.go, distribution_configuration_test.go)

resource "aws_imagebuilder_infrastructure_configuration" "test" {
  name                          = var.name
  description                   = local.updated ? "updated" : "first"
  instance_profile_name         = aws_iam_instance_profile.test.name
  instance_types                = local.updated ? ["t3.large"] : ["t3.micro", "t3.small"]
  security_group_ids            = [aws_security_group.test.id]
  subnet_id                     = aws_subnet.test.id
  sns_topic_arn                 = aws_sns_topic.test.arn
  terminate_instance_on_failure = !local.updated
  resource_tags                 = { purpose = local.updated ? "updated" : "build" }

  instance_metadata_options {
    http_put_response_hop_limit = local.updated ? 2 : 1
    http_tokens                 = "required"
  }

  logging {
    s3_logs {
      s3_bucket_name = aws_s3_bucket.logs.bucket
      s3_key_prefix  = local.updated ? "updated" : "logs"
    }
  }

  placement {
    tenancy = "default"
  }

  tags = local.tags
}

resource "aws_imagebuilder_distribution_configuration" "test" {
  name        = var.name
  description = local.updated ? "updated" : "first"

  distribution {
    region = data.aws_region.current.name

    ami_distribution_configuration {
      name        = local.updated ? "updated-{{ imagebuilder:buildDate }}" : "{{ imagebuilder:buildDate }}"
      description = "an AMI"
      ami_tags    = { origin = "terraform" }
      kms_key_id  = aws_kms_key.test.arn

      launch_permission {
        user_ids = ["111111111111"]
      }
    }

    launch_template_configuration {
      launch_template_id = "lt-0aaa1bcde2ff3456a"
      default            = false
    }
  }

  distribution {
    region = "us-west-2"

    ami_distribution_configuration {
      name               = "{{ imagebuilder:buildDate }}"
      target_account_ids = local.updated ? ["222222222222", "111111111111"] : ["111111111111"]
    }
  }

  tags = local.tags
}

resource "aws_imagebuilder_distribution_configuration" "container" {
  name = "${var.name}-container"

  distribution {
    region = data.aws_region.current.name

    container_distribution_configuration {
      container_tags = local.updated ? ["latest", "stable"] : ["latest"]
      description    = "a container"

      target_repository {
        repository_name = aws_ecr_repository.test.name
        service         = "ECR"
      }
    }
  }
}
